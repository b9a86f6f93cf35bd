"""The issuer's use cases over its database: cases, offers, the OpenID4VCI exchange, status.

Routes in :mod:`issuer.app` are thin adapters over :class:`IssuerService`; protocol parsing and
checks are the pure :mod:`credentials.openid4vci`. Every state change is one transaction. The
service composes three parts, each in its own module: the one-time values it hands out and takes
back (:mod:`issuer.nonces`), its policy on wallet and key attestations (:mod:`issuer.attestation`)
and the institutions' status lists (:mod:`issuer.status_lists`).
Order of the credential endpoint (issue #4 "Atomicity"): the credential records and their status
list indexes are committed *before* anything is signed and returned, so a credential never
reaches a wallet without a record that can revoke it; an index is unique per list by a database
constraint, so two workers can never hand out the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509 import Certificate
from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from credentials import (
    authorization_code,
    client_attestation,
    countries,
    dpop,
    ehic,
    i18n,
    mdoc,
    openid4vci,
    pda1,
    pid,
    sd_jwt_vc,
    status_list,
    trust_list,
    type_metadata,
    verification,
)
from credentials import key_attestation as key_attestation_mod
from credentials.claims import invalid, person, person_problems, register_rules
from credentials.errors import CredentialError, DataError, IssuerTrustError, ProtocolError
from credentials.institutions import ROLE_FOR_VCT, Entity, Role
from credentials.jose import PrivateKey, b64url_encode, jwk_thumbprint, public_jwk, public_key_from_jwk
from credentials.x509 import spki_kid, x5c_header
from esspass.db import Sessions, release_erased_or_warn
from issuer.attestation import Attestations
from issuer.case_search import fold, number_key, person_shown, query_forms, search_text
from issuer.db import (
    Authorization,
    Case,
    CaseSearch,
    CredentialRecord,
    DeferredTransaction,
    Event,
    ImportRecord,
    Offer,
    RefreshToken,
    StatusListRecord,
    Token,
    stored_hash,
    utc,
)
from issuer.nonces import Nonces
from issuer.rules import Recorded, a1_params, posting_check, refusal, rule_row, words
from issuer.signers import (
    SIGNER_MARGIN,
    TYPE_UNLISTED,
    Signer,
    SignerChoice,
    published,
    signer_end,
    type_label,
    unsigned_rule,
)
from issuer.status_lists import StatusLists

__all__ = [
    "CREDENTIAL_TYPES",
    "IMPORT_KEPT",
    "MDOC_SUFFIX",
    "NO_ROWS",
    "OFFER_KEY_SCHEME",
    "PROOF_PERIOD",
    "SIGNER_MARGIN",
    "ImportKeyReused",
    "ImportRepeated",
    "Institution",
    "IssuedOffer",
    "IssuerService",
    "NumberTaken",
    "OfferSecrets",
    "RenewalNotDue",
    "SameFile",
    "certifies_period",
    "credential_end",
    "document_end",
    "document_expired",
    "grant_handle",
    "holder_min_age",
    "import_file",
    "import_once",
    "jwt_vc_issuer_metadata",
    "new_document_number",
    "replayable_rows",
    "signer_end",
]

#: The rule (field ``file``, key ``csv.no_rows``) of an import with no row to import: an empty file,
#: or a header alone.
NO_ROWS = words("csv.no_rows")

#: How long an import's one-time id and its file's hash are remembered (:class:`issuer.db.ImportRecord`,
#: deleted by :meth:`IssuerService.purge_expired`): a reload of the report or a client's retry comes within
#: minutes; a week also covers a report page left open over a long weekend and sent again after it, and
#: the same export imported again the next working days.
IMPORT_KEPT = timedelta(days=7)

#: configuration id -> the credential type module (VCT, validate, SD_PATHS, describe, type metadata).
CREDENTIAL_TYPES: dict[str, Any] = {pda1.CONFIGURATION_ID: pda1, ehic.CONFIGURATION_ID: ehic, pid.CONFIGURATION_ID: pid}
_PAR_TTL = 300  # seconds a pushed request waits for the worker to type the code (RFC 9126 §2.2)
_CODE_TTL = 60  # seconds an authorization code lives (RFC 6749 §4.1.2: short)
_BEARER_TTL_MAX = 300  # seconds an access token not bound to a DPoP key lives at most
#: The longest a copy-renewal grant (a DPoP-bound refresh token, IssuerService._grant_end) lives: its
#: document's end, which for our documents is within five years (an EHIC 3-5, a PID 5), at most this
#: after the worker took the offer, whatever date was typed.
_RENEWAL_MAX = timedelta(days=5 * 366)
#: Every type is also offered as an ISO mdoc (``mso_mdoc``) under ``<configuration id>_mdoc``.
MDOC_SUFFIX = "_mdoc"
#: How long after a refresh its rotated-out refresh token, presented again by the grant's DPoP key, is
#: taken for the retry of an answer that was lost (FAPI 2.0 SP §5.3.2.1), while the token that answer
#: carried is unused: ten minutes covers a wallet asking again at once, or at its next deferred poll
#: (a minute), after a timeout. Later, it is a reuse (RFC 9700 §4.14.2): the grant is revoked.
RETRY_WINDOW = timedelta(minutes=10)
#: The window before the copies end in which the reference wallet renews them (its
#: ``ESSPASS_WALLET_COPIES_NOTICE_DAYS``, 30 by default): the issuer's idea of "due"
#: (:meth:`IssuerService._renewal_refused`).
RENEWAL_NOTICE = timedelta(days=30)
#: A grant renews a form whose copies are not due by their dates at most once in this time: the issuer
#: cannot see that a wallet has shown every copy (HAIP 1.0 §4.5: renewed when used up), and the wallet
#: tries again at most once a day (wallet.renewal.RETRY_AFTER), so a wallet is never refused twice in a
#: row for it, while a copied grant or a runaway client gets one generation a day at most.
RENEWAL_PACE = timedelta(hours=24)
#: RFC 9700 §4.14.2: a grant whose live refresh token goes unused this long, counted from the later of
#: when it was given and when its copies come within :data:`RENEWAL_NOTICE` of their end, ends. A
#: wallet in use renews from then on (once a day at most while due); the notice window plus sixty
#: days covers a worker who does not open the wallet for weeks, and the grant of a wallet gone (a lost
#: phone, an app removed without a word) ends two months after its copies.
REFRESH_IDLE = RENEWAL_NOTICE + timedelta(days=60)
#: A clerk's reading of a case is recorded in its history (GDPR Art. 5(2) accountability, Art. 32(1)(b),
#: (d): who consulted whose file, and when) once per clerk and case in this time: a clerk reloading the
#: page or an integration polling the case does not bury its history in "viewed" lines.
VIEW_EVENT_EVERY = timedelta(minutes=10)
#: The history's events that record a reading, not a change (:meth:`IssuerService.get_case` ``reads``).
READ_ACTIONS = ("viewed",)


def _format_of(configuration_id: str) -> tuple[str, bool]:
    """``pda1_mdoc`` -> ``("pda1", True)``: the case's type and whether the mdoc form is asked for."""
    if configuration_id.endswith(MDOC_SUFFIX):
        return configuration_id.removesuffix(MDOC_SUFFIX), True
    return configuration_id, False
#: A case's state -> the Token Status List value of its credentials (draft-ietf-oauth-status-list §7.1).
#: ``replaced``: superseded by a newer case of the institution (:meth:`IssuerService.replace_case`),
#: REPLACED (0x03, application-specific), never a clerk's choice (:data:`SETTABLE_STATES`).
STATE_FOR_STATUS = {"active": status_list.VALID, "suspended": status_list.SUSPENDED, "revoked": status_list.INVALID,
                    "replaced": status_list.REPLACED}
#: The states a clerk sets (:meth:`IssuerService.set_state`); a case is replaced only by a new case.
SETTABLE_STATES = ("active", "suspended", "revoked")
#: The states nothing is handed over, renewed or reinstated from: withdrawn (INVALID is final, §7.1)
#: or replaced (REPLACED, final too; a replaced case may still be withdrawn, then INVALID).
FINAL_STATES = ("revoked", "replaced")
#: The types whose model requires a document number (domain.md "Common block"); a PID's has none.
_NUMBERED = frozenset({pda1.CONFIGURATION_ID, ehic.CONFIGURATION_ID})
#: Characters of a number the issuer gives: no 0/O or 1/I to mistake when it is read out.
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: Draws of a number before giving up: 40 bits each, so a second draw is already past chance.
_NUMBER_DRAWS = 5
_STATE_WORDS = {"active": "active", "suspended": "suspended", "revoked": "withdrawn", "replaced": "replaced"}
#: Notification events (§11.1) by which a wallet said it did not keep a response's copies.
_REFUSED_EVENTS = ("credential_failure", "credential_deleted")
#: What a clerk or a wallet does with a case that starts its retention period again
#: (:meth:`IssuerService.erase_ended`): it is recorded, replaced, approved, offered, printed, taken by a
#: wallet (and its credentials are issued: their records' ``issued_at``).
_USE_ACTIONS = ("created", "replaced", "approved", "offered", "paper", "authorised", "wallet_authorised",
                "deferred")
#: What hands something of a case to the worker (an offer's QR code and code, a paper copy): a case
#: withdrawn after either keeps the period of its document (:meth:`IssuerService._end_if_never_a_document`).
#: A credential issued is told by its record (a paper copy has one too).
_HANDED_OVER = ("offered", "paper")


class NumberTaken(ProtocolError):
    """409 ``invalid_request``: a document number another case of the institution has, with
    ``field`` and ``rule`` as a :class:`DataError` has them, and the rule's ``key`` and ``params``
    (:mod:`issuer.rules`: ``number.taken``, ``number.kept``, ``csv.numbers_taken_row(s)``);
    ``rows``: an import's refused rows, each with its ``rule_key`` and ``rule_params``.

    An institution gives a number to one document, of any type (domain.md numbers no type apart),
    in any state: a withdrawn or replaced document still exists for whoever holds it, on paper, in
    a wallet or in an inspector's verification proof (an HMAC of the number)."""

    def __init__(self, key: str, params: Mapping[str, str | int], *, rows: Sequence[Mapping[str, Any]] = ()) -> None:
        rule = words(key, **params)
        super().__init__("invalid_request", rule, http_status=409, key=key, params=params)
        self.field, self.rule = "document_number", rule
        self.rows = [dict(r) for r in rows]

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "field": self.field, "rule": self.rule}


class ImportRepeated(ProtocolError):
    """409 ``invalid_request``: an import under a one-time id (the back office form's ``import_id``, an
    API client's ``Idempotency-Key``) an earlier request of the institution already made: nothing of
    it is recorded again (:func:`import_once`). ``at``: when the earlier one began; ``imported`` and
    ``rejected``: how many rows it imported and rejected, None while it runs or when it stopped before
    it could say (rule ``csv.import_unfinished``, else ``csv.imported_before``).

    draft-ietf-httpapi-idempotency-key-header-06 §2.6 answers a request whose first is still being
    processed with 409 Conflict, and lets a finished one's response be replayed: ``replay`` holds the
    first answer's rows (:func:`replayable_rows`) when the same file came under the same key and its
    import finished whole, for the API to answer as it did; else (the office's form, an import that
    stopped or was recorded before 0024) the request is refused, with what the first did in ``import``
    beside ``error``: the created cases are in the cases list."""

    #: The rule of an earlier import that finished, and of one that has not.
    RULES = ("csv.imported_before", "csv.import_unfinished")
    #: 409 Conflict: the request is the one an earlier import made (or makes).
    STATUS = 409

    def __init__(self, at: datetime, imported: int | None, rejected: int | None, *,
                 replay: list[dict[str, Any]] | None = None) -> None:
        shown = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        params: dict[str, str | int] = {"at": shown}
        if imported is None:
            key = self.RULES[1]
        else:
            key = self.RULES[0]
            params.update(imported=imported, rejected=rejected or 0)
        super().__init__("invalid_request", words(key, **params), http_status=self.STATUS, key=key, params=params)
        self.at, self.imported, self.rejected, self.replay = at, imported, rejected, replay

    def to_dict(self) -> dict[str, Any]:
        earlier: dict[str, Any] = {"at": self.at.astimezone(UTC).isoformat(), "finished": self.imported is not None}
        if self.imported is not None:
            earlier.update(imported=self.imported, rejected=self.rejected or 0)
        return {**super().to_dict(), "import": earlier}


class SameFile(ImportRepeated):
    """409 ``invalid_request``: a file with the very bytes (its SHA-256, :func:`issuer.db.file_digest`) of
    one an earlier import of the institution brought within :data:`IMPORT_KEPT`, under another one-time id
    (a new form, a new key, or none), which recorded cases or has not finished: imported again, each of its
    rows would be recorded a second time as a case of its own. Nothing is recorded; the clerk who means it
    sends it again confirming so (the office form's ``again``, the API's ``again=true``). ``at``,
    ``imported``, ``rejected``: the latest such import, as :class:`ImportRepeated` names it."""

    RULES = ("csv.same_file", "csv.same_file_unfinished")


class ImportKeyReused(ImportRepeated):
    """422 ``invalid_request``: a one-time id (an API client's ``Idempotency-Key``) an earlier import of the
    institution used for another file: draft-ietf-httpapi-idempotency-key-header-06, Error Scenarios, answers
    a key reused with a different request payload with 422. Nothing is recorded; ``import`` names the
    import the key made."""

    RULES = ("csv.key_reused", "csv.key_reused")
    STATUS = 422


class FourEyes(ProtocolError):
    """403 ``access_denied``: what four-eyes approval does not allow, ``rule`` saying which (for the
    office to say it in the clerk's language): ``record_unnamed`` (the shared token records no case
    where approval is asked), ``approve_unnamed`` (nor approves any: whoever holds it may be the clerk
    who recorded the case), ``approve_own``, ``approve_shared_case``."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__("access_denied", message, http_status=403)
        self.rule = rule


class RenewalNotDue(ProtocolError):
    """400 ``credential_request_denied`` (OpenID4VCI 1.0 §8.3.1.2) for copies not due for renewal
    (:meth:`IssuerService._renewal_refused`), with the member ``renewal_from``: from when the copies
    are renewed, a NumericDate (RFC 7519 §2: whole seconds since 1970-01-01T00:00:00Z, UTC).

    RFC 6749 §5.2 lets an error response carry members beside ``error`` and ``error_description``
    (OpenID4VCI 1.0 §8.3.1.2 takes its shape), and a client ignores those it does not know. A wallet
    waits until ``renewal_from`` before asking again by itself; ``error_description`` says the same in
    English words for a person (and for wallets that read only those, which need not change)."""

    def __init__(self, description: str, renewal_from: datetime) -> None:
        super().__init__("credential_request_denied", description)
        # Rounded up: a wallet asking at the second named is never early by a fraction of one.
        self.renewal_from = math.ceil(renewal_from.timestamp())

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "renewal_from": self.renewal_from}


def new_document_number(entity_id: str, today: date) -> str:
    """A number for a PDA1 or EHIC whose clerk left it empty: the institution, the year and 8 random
    characters (``LV-VSAA-2026-7KQ3M9XT``), within the model's 4 to 50 characters. Random, not
    counted: no counter row for every clerk's request to queue on; the unique index keeps it apart."""
    drawn = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"{entity_id.replace(':', '-')}-{today.year}-{drawn}"


def _taken(number: object, case_id: str, state: str) -> dict[str, str | int]:
    """The parameters of the rules of a number another case has (``number.taken``, ``number.given``)."""
    return {"number": str(number), "case": case_id, "state": _STATE_WORDS.get(state, state)}


@dataclass(frozen=True)
class Institution:
    """An institution hosted by this issuer with its document signers: ``key`` and its ``x5c`` chain
    (the ``signer_key`` of the institutions file), and those configured beside it (``next_signers``,
    the ``next_signer_key``). Which one signs at a given moment is :mod:`issuer.signers`' rule, never
    ``key`` by default: use :attr:`signers`."""

    entity: Entity
    key: PrivateKey
    x5c: list[Certificate]
    issuer_url: str
    #: Four-eyes: each new case waits for a second, named clerk's approval before anything is signed.
    approval_required: bool = False
    #: Signers configured beside ``key`` (:mod:`issuer.institutions` ``next_signer_key``), taking over
    #: by :func:`issuer.signers.current_signer`.
    next_signers: tuple[Signer, ...] = ()

    @property
    def signers(self) -> tuple[Signer, ...]:
        """Every configured signer, ``key`` first, in the file's order."""
        return (Signer(self.key, tuple(self.x5c)), *self.next_signers)

    @property
    def configurations(self) -> list[str]:
        return [cid for cid, mod in CREDENTIAL_TYPES.items() if ROLE_FOR_VCT[mod.VCT] in self.entity.roles]


#: ``Offer.scheme`` of an offer whose pre-authorized code, tx_code MAC and ``issuer_state`` come
#: from the offer key (:class:`OfferSecrets`); None: an offer made before migration 0016.
OFFER_KEY_SCHEME = "offer-key"


class OfferSecrets:
    """What makes an offer redeemable, derived from the issuer's offer key (``ESSPASS_ISSUER_OFFER_KEY_FILE``),
    which is not in the database, so that a copy of it (a backup, a replica, a read-only SQL account)
    gives no open offer away: it holds neither the pre-authorized code (only its hash) nor anything
    that keys the tx_code's MAC, and 10**6 guesses of the 6 digits cannot be tried offline.

    * the pre-authorized code (OpenID4VCI §4.1.1): HMAC(code key, offer id), made again whenever the
      offer URI is served (§4.1.3), never stored;
    * the tx_code's MAC (§4.1.1 ``tx_code``): HMAC(tx key, code "." tx_code);
    * ``issuer_state`` (§4.1.1, authorization code grant): the offer id and HMAC(state key, offer id);
    * the ``transaction_id`` of a deferral (§8.3) the offer's access token gets: HMAC(transaction key,
      the token's stored hash and the configuration), so that a wallet whose 202 was lost is given
      the same one again (:meth:`IssuerService._deferred_again`) while only its hash is stored.

    Four keys derived from the one (RFC 5869 HKDF, a label each), so that no value made for one
    purpose passes for another's. Every replica derives the same from the same key file.
    """

    __slots__ = ("_code", "_state", "_transaction", "_tx")

    def __init__(self, offer_key: bytes) -> None:
        if len(offer_key) != 32:
            raise ValueError("the offer key must be 256 bits")

        def derive(label: bytes) -> bytes:
            return HKDF(hashes.SHA256(), 32, salt=None, info=b"esspass/issuer/offer/" + label).derive(offer_key)

        self._code, self._tx, self._state = derive(b"pre-authorized-code"), derive(b"tx-code"), derive(b"issuer-state")
        self._transaction = derive(b"transaction-id")

    def __repr__(self) -> str:
        return "OfferSecrets(<hidden>)"  # never the keys, in a log or a traceback

    def code(self, offer_id: str) -> str:
        """The pre-authorized code of offer ``offer_id``: 256 bits, base64url."""
        return b64url_encode(hmac.digest(self._code, offer_id.encode(), "sha256"))

    def tx_mac(self, code: str, tx_code: str) -> str:
        """The MAC of the tx_code the clerk handed over, bound to the offer's code (base64url has no ".")."""
        return hmac.new(self._tx, f"{code}.{tx_code}".encode(), hashlib.sha256).hexdigest()

    def issuer_state(self, offer_id: str) -> str:
        """``issuer_state``: names the offer, cannot be made for another one without the key."""
        return f"{offer_id}.{b64url_encode(hmac.digest(self._state, offer_id.encode(), 'sha256')[:18])}"

    def transaction_id(self, token_hash: str, configuration_id: str) -> str:
        """The ``transaction_id`` (§8.3) of the deferral the access token of stored hash ``token_hash``
        gets for ``configuration_id`` (one per token and configuration): 256 bits, base64url, the same
        every time it is made, and made only with the key: the hashes in a copy of the database
        cannot make it, nor can the token's holder without the issuer's answer."""
        mac = hmac.digest(self._transaction, f"{token_hash}:{configuration_id}".encode(), "sha256")
        return b64url_encode(mac)


#: An offer made under an offer key this issuer no longer holds (:meth:`IssuerService._offer_code`).
_VOID_OFFER = "this credential offer is no longer valid (the issuer's offer key was replaced): ask your institution " \
              "for a new one"


def _legacy_tx_hash(code: str, tx_code: str) -> str:
    """The tx_code's MAC of an offer made before migration 0016, keyed by its code (kept in its row)."""
    return hmac.new(code.encode(), tx_code.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedOffer:
    offer_id: str
    link: str
    offer_uri: str
    tx_code: str
    expires_at: datetime


#: UTC-12, where a day ends last ("anywhere on earth").
_LAST_ZONE = timezone(timedelta(hours=-12))


i18n.register({"issuer.paper_footer": dict(zip(i18n.LANGUAGES, (
    "Paper copy: the inspector checks this code and an identity document of the person showing it.",
    "Papīra kopija: inspektors pārbauda šo kodu un uzrādītājas personas personu apliecinošu dokumentu.",
    "Papierausfertigung: Die Kontrolle prüft diesen Code und ein Ausweisdokument der vorzeigenden Person.",
    "Copie papier : l'inspecteur vérifie ce code et une pièce d'identité de la personne qui la présente.",
    "Kopia papierowa: inspektor sprawdza ten kod oraz dokument tożsamości osoby, która ją okazuje.",
), strict=True))})


def document_end(claims: Mapping[str, Any], iat: datetime) -> datetime:
    """Token ``exp``: the end of the document's own validity (domain.md "Three validity layers"):
    its expiry date, or the end of its period (an A1's, or a provisional replacement certificate's).

    The day's last second anywhere on earth, so that the token stays good on its last day wherever it
    is shown; the inspector's local date decides whether the document still is (the verifier).
    """
    ends = [claims.get("date_of_expiry"), claims.get("ending_date")]
    days = [date.fromisoformat(d) for d in ends if isinstance(d, str)]
    if days:
        end = min(days)
        if end >= date.max - timedelta(days=1):  # its last second in UTC-12 is past what a datetime holds
            return datetime.max.replace(microsecond=0, tzinfo=UTC)
        return datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=_LAST_ZONE).astimezone(UTC)
    return iat + timedelta(days=5 * 365)


def document_expired(claims: Mapping[str, Any], now: datetime, country: str) -> bool:
    """Whether nothing more is issued from a document at ``now`` for its own dates: an EHIC card or a
    PID past its expiry. A document that certifies a period (an A1, a PRC, :func:`certifies_period`)
    is the proof of that period whenever it is asked for: never.

    Judged on the calendar of the institution's ``country`` (its zone, as an inspectorate judges on its own):
    once its last day is over there, a card is not handed over, though its token, signed before, stays
    good to the end of that day anywhere on earth (:func:`document_end`); else a wallet would be given
    a card that has expired where it was issued and, the zones of the 32 states being at most UTC+3,
    everywhere the card is shown. Never later than :func:`document_end`."""
    if certifies_period(claims):
        return False
    end = document_end(claims, now)
    if end.year < datetime.max.year:  # a day a datetime can hold the next of
        after = end.astimezone(_LAST_ZONE).date() + timedelta(days=1)
        end = min(end, datetime(after.year, after.month, after.day, tzinfo=_zone(country)))
    return end <= now


def _zone(country: str) -> ZoneInfo:
    """The time zone of a state's capital (:func:`credentials.countries.time_zone`)."""
    return ZoneInfo(countries.time_zone(country))


register_rules({
    "copies.not_found": (  # IssuerService.stop_copies: no copies of the case taken by that wallet grant
        "no copies of this document were taken by that wallet",
        "neviens šī dokumenta kopiju komplekts nav saņemts ar šo maku",
        "dieses Dokument hat keine Kopien, die diese Wallet erhalten hat",
        "aucune copie de ce document n'a été prise par ce portefeuille",
        "ten portfel nie pobrał żadnych kopii tego dokumentu"),
    "copies.already_stopped": (
        "these copies are already stopped or no longer valid: there is nothing to stop",
        "šīs kopijas jau ir apturētas vai vairs nav derīgas: nav ko apturēt",
        "diese Kopien sind bereits gestoppt oder nicht mehr gültig: es gibt nichts zu stoppen",
        "ces copies sont déjà arrêtées ou ne sont plus valables : il n'y a rien à arrêter",
        "te kopie są już zatrzymane lub nieważne: nie ma czego zatrzymać"),
    "copies.case_final": (
        "the document is {state}: its copies already fail every check",
        "dokuments ir {state}: tā kopijas jau neiztur nevienu pārbaudi",
        "das Dokument ist {state}: seine Kopien bestehen schon keine Prüfung mehr",
        "le document est {state} : ses copies échouent déjà à toute vérification",
        "dokument jest {state}: jego kopie już nie przechodzą żadnej weryfikacji"),
})


register_rules({"ehic.replacement_expired": (  # IssuerService.replace_case: a card past its expiry
    "is already past: an expired card cannot replace a card, give the new card's expiry date",
    "jau ir pagātnē: karte, kuras derīgums beidzies, nevar aizstāt karti; norādiet jaunās kartes derīguma termiņu",
    "liegt bereits in der Vergangenheit: eine abgelaufene Karte kann keine Karte ersetzen; geben Sie das "
    "Ablaufdatum der neuen Karte an",
    "est déjà passée : une carte expirée ne peut pas remplacer une carte ; indiquez la date d'expiration de la "
    "nouvelle carte",
    "już minęła: karta, której ważność wygasła, nie może zastąpić karty; podaj datę ważności nowej karty",
)})
register_rules({"case.no_renewals": (  # IssuerService.end_renewals: no wallet holds a live grant of the case
    "no wallet renews this document's copies: there is nothing to end",
    "neviens maks neatjauno šī dokumenta kopijas: nav ko izbeigt",
    "keine Wallet erneuert die Kopien dieses Dokuments: es gibt nichts zu beenden",
    "aucun portefeuille ne renouvelle les copies de ce document : il n'y a rien à arrêter",
    "żaden portfel nie odnawia kopii tego dokumentu: nie ma czego zakończyć",
)})


register_rules({"signer.expired": (  # the refusal the back office shows (issuer.rules.refusal)
    "the institution's signing certificate has expired: it must be renewed",
    "iestādes parakstīšanas sertifikāta derīgums ir beidzies: tas jāatjauno",
    "das Signaturzertifikat der Einrichtung ist abgelaufen: es muss erneuert werden",
    "le certificat de signature de l'organisme a expiré : il doit être renouvelé",
    "certyfikat podpisu instytucji wygasł: należy go odnowić",
)})


#: How long the copies of a document that certifies a period (:func:`certifies_period`: an A1, a
#: provisional replacement certificate) stay verifiable after the later of that period's end and their
#: signing, within their signer chain (:func:`credential_end`). Five years: the horizon within which a
#: host state's institution audits the contributions of past months (in Germany at least every four
#: years, SGB IV §28p(1), and claims for them lapse four years after the year they fell due, §25(1)),
#: and the issuer's horizon for a document without an end (:func:`document_end`).
PROOF_PERIOD = timedelta(days=5 * 365)


def certifies_period(claims: Mapping[str, Any]) -> bool:
    """Whether the document certifies a period of its own (``starting_date`` to ``ending_date``,
    domain.md "Common block": the coverage or decision period): an A1, whose legislation applies
    for that period and binds the other states' institutions for it until it is withdrawn
    (987/2009 Art. 5(1)), also once it has ended, and is often issued after it (Art. 15(1), 19(2));
    or a provisional replacement certificate, often asked for after the treatment (Decision S2).
    Not an EHIC card (its expiry: a card is for care now, an expired one proves nothing) nor a PID."""
    return isinstance(claims.get("starting_date"), str) and isinstance(claims.get("ending_date"), str)


def credential_end(claims: Mapping[str, Any], chain: Sequence[Certificate], iat: datetime) -> datetime:
    """A credential's technical expiry (SD-JWT VC ``exp``, draft-ietf-oauth-sd-jwt-vc §3.2.2.2; the
    mdoc MSO's ``validUntil``, ISO/IEC 18013-5 §9.1.2.4; the compact CWT's ``exp``, RFC 8392), never
    past its signer chain's end (:func:`signer_end`):

    * a document that certifies a period (:func:`certifies_period`: an A1, a PRC): :data:`PROOF_PERIOD`
      after the later of its period's end and ``iat``. The copy is the proof of that period, not a
      permission for today: an A1 whose period has ended still proves which legislation applied then
      (to a host institution auditing past months), and one issued after its period (987/2009 Art.
      15(1)) needs a live copy at all. Whether it covers today is the verifier's coverage layer
      (domain.md "Three validity layers"), which says "not valid, the period ended on ..." for it;
    * any other (an EHIC card, a PID): its own end (:func:`document_end`): an expired card proves
      nothing, and is not handed over once expired (:meth:`IssuerService._ended`).

    ISO/IEC 18013-5 keeps an MSO's validity within its document signer certificate's, and the EUDI
    ARF asks the same of every attestation: once the certificate has expired, a verifier validating
    the chain then judges a copy signed under it invalid, though the document still is. So a copy
    ends with its signer, and the wallet is given a fresh one while the document has not ended; the
    document's own dates (its ``date_of_expiry``, ``ending_date``) are the document's, untouched."""
    ends = document_end(claims, iat)
    if certifies_period(claims):
        ends = max(ends, iat) + PROOF_PERIOD
    return min(ends, signer_end(chain))


class IssuerService:
    """Everything the issuer does, given an engine, its institutions and its settings."""

    def __init__(self, engine: Engine, institutions: Mapping[str, Institution], *, offer_ttl: int = 900,
                 token_ttl: int = 600, nonce_ttl: int = 300, tx_code_attempts: int = 5, batch_size: int = 10,
                 status_list_size: int = 131072, status_ttl: int = 300, status_exp: int = 86400,
                 clock: Callable[[], datetime] | None = None, client_attestation: str = "off",
                 wallet_providers: Callable[[datetime], trust_list.TrustList] | None = None,
                 dpop_nonces: bool = False, key_attestation: str = "off", attestation_challenge_required: bool = False,
                 key_attestation_policy: key_attestation_mod.KeyAttestationPolicy | None = None,
                 deferred_interval: int = 60, deferred_ttl: int = 30 * 24 * 3600,
                 offer_key: bytes | None = None,
                 issuers_list: Callable[[datetime], trust_list.TrustList] | None = None,
                 revalidate_issuers: Callable[[datetime], trust_list.TrustList | None] | None = None) -> None:
        """``client_attestation``: ``required``, ``optional`` or ``off`` (wallet attestation at the
        token endpoint, HAIP §9.2), judged against ``wallet_providers`` (the registry's list).
        ``deferred_interval``: seconds a deferred wallet waits between polls (OpenID4VCI §8.3);
        ``deferred_ttl``: seconds a deferred transaction and its grant's refresh tokens live.
        ``dpop_nonces``: DPoP proofs must carry a nonce this issuer handed out (RFC 9449 §8, §9).
        ``key_attestation``: ``required``, ``optional`` or ``off`` (key attestations in the key
        proofs, OpenID4VCI App. D), judged by ``key_attestation_policy`` and ``wallet_providers``.
        ``offer_key``: the 256-bit offer key every replica shares (:func:`issuer.settings.configured_offer_key`,
        :class:`OfferSecrets`); None: one made for this instance alone, whose offers no other instance
        can serve or redeem (a test, a tool that makes no offer).
        ``issuers_list``: the registry's issuers list, which the choice of each institution's signer
        heeds (:class:`issuer.signers.SignerChoice`, refreshed by :meth:`refresh_signer_list`); None:
        the signers' dates alone decide. ``revalidate_issuers``: that list fetched anew whatever its
        max-age (:meth:`trust_registry.client.TrustListClient.revalidate`), when the one held refuses
        something of a hosted institution."""
        self.engine = engine
        self.offer_secrets = OfferSecrets(offer_key if offer_key is not None else secrets.token_bytes(32))
        self.sessions = Sessions(engine, expire_on_commit=False)
        self.institutions = dict(institutions)  # by path
        self.offer_ttl, self.token_ttl = offer_ttl, token_ttl
        self.tx_code_attempts, self.batch_size = tx_code_attempts, batch_size
        self.deferred_interval, self.deferred_ttl = deferred_interval, deferred_ttl
        self.clock = clock or (lambda: datetime.now(UTC))
        self.attestations = Attestations(client=client_attestation, keys=key_attestation,
                                         wallet_providers=wallet_providers, key_policy=key_attestation_policy)
        self.nonces = Nonces(self.sessions, self.clock, ttl=nonce_ttl, dpop_nonces=dpop_nonces,
                             challenge_required=attestation_challenge_required)
        self.signer_choice = SignerChoice(issuers_list, revalidate_issuers)
        self.status = StatusLists(self.sessions, self.clock, size=status_list_size, ttl=status_ttl, exp=status_exp,
                                  signer=self.list_signer)
        #: True while an erasure's former values may still be in SQLite's write-ahead log: a reader kept
        #: :meth:`erase_ended` from emptying it, and its next run (a day later in the service) tries again.
        self.erasure_unreleased = False

    def institution(self, path: str) -> Institution:
        inst = self.institutions.get(path)
        if inst is None:
            raise ProtocolError("not_found", "no credential issuer at this address", http_status=404)
        return inst

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def signer(self, inst: Institution, now: datetime) -> Signer | None:
        """The signer ``inst`` signs with at ``now`` (:mod:`issuer.signers`' rule, with the issuers list
        last had), None when none of its signers can sign."""
        return self.signer_choice.choose(inst.entity, inst.signers, now)

    def list_signer(self, inst: Institution, now: datetime) -> Signer | None:
        """The signer of ``inst``'s Status List Tokens at ``now``: as :meth:`signer`, but the institution's
        status on the issuers list bars none (:mod:`issuer.signers` rule 1: a withdrawn institution's
        documents are withdrawn through its lists, so they go on being served)."""
        return self.signer_choice.choose(inst.entity, inst.signers, now, status_lists=True)

    def refresh_signer_list(self) -> None:
        """Ask for the issuers list the choice of signer heeds (the service's housekeeping, outside any
        request: :meth:`signer` never waits on the registry), and ask the registry again whatever the
        list's max-age (at most every half minute; a conditional request, a 304 while it is unchanged).
        Both ways: a suspension or a key revoked must stop the signing within a round, not after the
        five minutes a list may be held (a copy signed meanwhile is refused by every verifier for
        good: its ``iat`` falls in the suspension), and a list that refuses a hosted institution a
        configured type, or bars each signer, may have been put right since."""
        now = self._now()
        self.signer_choice.refresh(now)
        self.signer_choice.refresh(now, revalidate=True)

    def type_refused(self, inst: Institution, configuration_id: str, *, error: str = "invalid_request",
                     http_status: int = 409) -> ProtocolError | None:
        """The refusal of ``configuration_id`` (either form) while the issuers list held names ``inst``
        without the role to issue its type (:func:`issuer.signers.unlisted_role`: every wallet and verifier
        would refuse the copy), else None. 409 in the back office (nothing is wrong with the case: the
        registry must change first); the wallet-facing endpoints pass their own ``error``."""
        module = CREDENTIAL_TYPES.get(_format_of(configuration_id)[0])
        role = None if module is None else self.signer_choice.unlisted(inst.entity, module.VCT)
        if module is None or role is None:
            return None
        return refusal(TYPE_UNLISTED, error=error, http_status=http_status, institution=inst.entity.id,
                       type=type_label(module.VCT), role=role)

    def issued_configurations(self, inst: Institution) -> list[str]:
        """The configurations ``inst`` issues now: those it is configured for (:attr:`Institution.configurations`)
        which the issuers list held does not refuse (:meth:`type_refused`)."""
        return [cid for cid in inst.configurations if self.type_refused(inst, cid) is None]

    # --- back office ---------------------------------------------------------------------------------

    def create_case(self, inst: Institution, configuration_id: str, claims: Mapping[str, Any], *, actor: str,
                    holder: Mapping[str, Any] | None = None, derogation: str | None = None,
                    confirm_overlap: bool | None = None) -> Case:
        """Validate ``claims`` with the credential model and record the case (DataError names the field).

        ``holder`` (family_name, given_name, birthdate): the person the document is for, as its paper
        copy and offline QR code print them; on an EHIC of the holder's own also Decision S2 card fields
        3-5, signed into every form of the card (:func:`credentials.ehic.with_holder`), without which
        it is not offered (:meth:`_offer_refused`). Its birth date is not after ``date_of_issuance``.

        An A1 is judged with the person's other A1s too (:meth:`_posting_rules`): ``derogation`` the
        clerk's reason for a posting less than two months after the last (Decision A2 point 3(c)),
        ``confirm_overlap`` the clerk's word that an overlapping A1 is meant.
        """
        def record(s: Session, case: Case) -> None:
            self._number_free(s, inst, case)
            s.add(case)
            s.add(Event(case_id=case.id, at=case.created_at, actor=actor[:60], action="created", reason=""))
            self._posting_rules(s, inst, case, replaces=None, derogation=derogation,
                                confirm_overlap=confirm_overlap, actor=actor)

        return self._record_numbered(inst, configuration_id, claims, record, actor=actor, holder=holder)

    def _record_numbered(self, inst: Institution, configuration_id: str, claims: Mapping[str, Any],
                         record: Callable[[Session, Case], None], *, actor: str,
                         holder: Mapping[str, Any] | None) -> Case:
        """A new case made from ``claims`` and recorded by ``record`` in one transaction, with the
        clerk's document number, or, left empty on a type that needs one, a number drawn by
        :func:`new_document_number`, drawn again while another case has it.

        Two requests with one number may both find it free (PostgreSQL, READ COMMITTED): the unique
        index refuses the second, which is then refused as :class:`NumberTaken` too, never a 500.
        """
        self.may_record(inst, actor)
        given = claims.get("document_number")
        draw = configuration_id in _NUMBERED and (given is None or (isinstance(given, str) and not given.strip()))
        for _ in range(_NUMBER_DRAWS):
            numbered = {**claims, "document_number": new_document_number(inst.entity.id, self._now().date())} \
                if draw else claims
            case = self._new_case(inst, configuration_id, numbered, actor=actor, holder=holder)
            try:
                with self.sessions.begin() as s:
                    record(s, case)
                return case
            except NumberTaken:
                if not draw:
                    raise
            except IntegrityError:
                if draw:
                    continue
                with self.sessions() as s:
                    self._number_free(s, inst, case)  # names the case that took the number meanwhile
                raise  # another constraint than the number's
        raise refusal("number.no_free", error="temporarily_unavailable", http_status=503)

    def _number_free(self, s: Session, inst: Institution, case: Case, *, replaces: Case | None = None) -> None:
        """Refuse (:class:`NumberTaken`) the number of ``case`` when another case of the institution
        has it; ``replaces``: the case it is to replace, whose number it cannot keep either."""
        if case.number_key is None:
            return
        holder = s.execute(select(Case.id, Case.state).where(Case.entity_id == inst.entity.id,
                                                             Case.number_key == case.number_key)).first()
        if holder is None:
            return
        number = str(case.claims.get("document_number"))
        if replaces is not None and holder.id == replaces.id:
            raise NumberTaken("number.kept", {"number": number, "case": holder.id})
        raise NumberTaken("number.taken", _taken(number, holder.id, holder.state))

    def number_conflicts(self, inst: Institution, rows: Sequence[Mapping[str, str]], *,
                         lines: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """The rows of a CSV import whose document number a case of the institution has, or an
        earlier row: ``row``, ``field``, ``rule`` each, and the rule's ``rule_key`` and ``rule_params``.
        A row is numbered by ``lines`` (the line of the file each row is on), else as though the
        header were line 1 and each row one line (:func:`import_rows`)."""
        first: dict[str, tuple[int, str]] = {}  # number key -> the first row with it, its number
        conflicts: dict[int, dict[str, Any]] = {}  # row -> its rule (rule_row)
        for line, row in zip(_row_lines(rows, lines), rows, strict=True):
            number = (row.get("document_number") or "").strip()
            key = number_key(number)
            if key is None:
                continue
            if key in first:
                conflicts[line] = rule_row("number.on_row", number=number, row=first[key][0])
            else:
                first[key] = line, number
        keys = list(first)
        given: dict[str | None, tuple[str, str]] = {}  # number key -> the case that has it, its state
        with self.sessions() as s:
            for start in range(0, len(keys), 500):  # within any database's limit of bound values
                given.update({key: (case_id, state) for key, case_id, state in s.execute(
                    select(Case.number_key, Case.id, Case.state).where(
                        Case.entity_id == inst.entity.id, Case.number_key.in_(keys[start:start + 500])))})
        for key, (line, number) in first.items():
            if key in given:
                conflicts[line] = rule_row("number.given", **_taken(number, *given[key]))
        return [{"row": line, "ok": False, "field": "document_number", **rule}
                for line, rule in sorted(conflicts.items())]

    def _new_case(self, inst: Institution, configuration_id: str, claims: Mapping[str, Any], *, actor: str,
                  holder: Mapping[str, Any] | None) -> Case:
        """A case made from ``claims`` checked by the credential model, not yet recorded."""
        if configuration_id not in inst.configurations:
            raise invalid("configuration_id", "issuer.does_not_issue", institution=inst.entity.name_en,
                          configuration=repr(configuration_id))
        unlisted = self.type_refused(inst, configuration_id)
        if unlisted is not None:  # a new case, a replacement, an import row: never a document verifiers refuse
            raise _told(inst, unlisted)
        module = CREDENTIAL_TYPES[configuration_id]
        now = self._now()
        if module is pid:  # the provider states the PID Rulebook's mandatory metadata (§2.4) itself
            claims = _pid_metadata(inst, claims, pid.provider_expiry(now.date()))
        # Which state's document this institution may sign is judged first (a German A1 at VSAA is
        # refused for its legislation_country, not for what the model's rules make of a German A1).
        _competence_first(inst, module, claims)
        try:
            normalised = module.validate(claims)
        except DataError as exc:
            if holder:  # every mistake of the case at once (a form, an import row): the holder's beside the claims'
                exc.others += tuple(person_problems(holder, claims, min_age=holder_min_age(module)))
            raise
        # The verifier's own competence rule: a document it would refuse is never recorded.
        problem = verification.competence_problem(inst.entity, module, normalised)
        if problem is not None:
            raise _not_competent(inst, problem[0])
        if module is pid and normalised["issuing_authority"] not in _pid_authorities(inst):
            raise invalid("issuing_authority", "issuer.provider_name", name=inst.entity.name)
        issued = normalised.get("date_of_issuance")
        # A day ahead of UTC at most: an institution east of Greenwich is on the next day first.
        if isinstance(issued, str) and date.fromisoformat(issued) > now.date() + timedelta(days=1):
            raise invalid("date_of_issuance", "date.future")
        started = normalised.get("starting_date")
        holder_data = _holder(holder, issued if isinstance(issued, str) else None,
                              started if isinstance(started, str) else None, min_age=holder_min_age(module)) \
            if holder else None
        if _unnamed(configuration_id, normalised, holder_data):
            # Decision S2 fields 3-5 are on every card, section 1 on every A1: a case without them could
            # never be offered, and its document number would be spent on the replacement that names them.
            raise invalid("holder", _unnamed_rule(configuration_id, "case.holder_required"))
        label = str(normalised.get("document_number") or f"{normalised.get('given_name', '')} "
                    f"{normalised.get('family_name', '')}".strip())[:120]
        return Case(id=secrets.token_hex(16), entity_id=inst.entity.id, configuration_id=configuration_id,
                    claims=normalised, holder=holder_data, label=label, state="active", created_at=now,
                    created_by=actor[:60], search=search_text(normalised, holder_data, label),
                    ends_at=document_end(normalised, now), number_key=number_key(normalised.get("document_number")),
                    approval="awaiting" if inst.approval_required else None)

    def replace_case(self, inst: Institution, case_id: str, claims: Mapping[str, Any], *, actor: str, reason: str,
                     holder: Mapping[str, Any] | None = None, derogation: str | None = None,
                     confirm_overlap: bool | None = None) -> Case:
        """A new document in place of this one (an A1 extended, a mistake corrected).

        In one transaction the new case is recorded and the old one replaced (state ``replaced``, its
        credentials REPLACED in the next status list tokens: not a withdrawal, which voids a document
        from its first day, 987/2009 Art. 5), each naming the other in its history. Nothing changes
        when the new claims break a rule (DataError) or the old case is already withdrawn or replaced.
        The new document has a new number (:class:`NumberTaken` for the old one's, or any other
        case's): the old one is withdrawn, not gone, and is still known by its number.

        ``holder`` None (left out): the old case's holder is carried over; given, it replaces it; an
        empty mapping: the new case has no holder (a wrong person recorded is removed). The back office
        form always states it (its holder fields, an empty mapping when they are all cleared); the API
        carries it over when the body leaves ``holder`` out, and removes it for ``"holder": null``.

        Where a second clerk approves each document (four-eyes), the new case awaits approval and the
        old one stays as it is meanwhile, in the worker's wallet and on paper: approving the new one
        withdraws the old in the same transaction (:meth:`approve_case`), refusing it leaves the old
        untouched. While one replacement awaits approval, the old case is not replaced again (409:
        approve or refuse that one first), so that approving either cannot withdraw what the other
        was to replace. Nor is a case that itself awaits approval replaced (409: approve or refuse it
        first; refused, the document it was to replace is replaced again, corrected): approving the
        new one would withdraw the waiting one only, which could then never be approved, and the
        document that one was to replace would stay valid beside the new one.
        """
        if not reason.strip():
            raise invalid("reason", "reason.required")
        with self.sessions() as s:
            old = self._case(s, inst, case_id)
            configuration_id = old.configuration_id  # a case's type never changes
            if holder is None and old.holder:
                holder = dict(old.holder)

        def record(s: Session, new: Case) -> None:
            now = new.created_at
            old = self._case(s, inst, case_id, lock=True)  # a second replacement waits, then finds it withdrawn
            self._still_held(old)
            if old.state == "revoked":
                raise refusal("case.withdrawn")
            if old.state == "replaced":
                raise refusal("case.replaced")
            if old.approval == "awaiting":  # not a document yet: approved or refused first
                raise refusal("case.awaiting_replaced")
            awaiting = self._awaiting_replacement(s, old)
            if awaiting is not None:
                raise refusal("case.replacement_awaiting", case=awaiting)
            if (CREDENTIAL_TYPES[configuration_id] is ehic and not ehic.is_prc(new.claims)
                    and document_end(new.claims, now) < now):
                # A card past its expiry proves nothing and is never handed over (credential_end), yet
                # recorded as a replacement it would end the card it replaces, maybe still valid: the
                # worker would be left with no card at all. (A PRC's period may be past: Decision S2.)
                raise invalid("date_of_expiry", "ehic.replacement_expired")
            self._number_free(s, inst, new, replaces=old)
            new.replaces = old.id
            s.add(new)
            self._posting_rules(s, inst, new, replaces=old, derogation=derogation, confirm_overlap=confirm_overlap,
                                actor=actor)
            # Each names the other by case id: a label can be a person's name, which erasure removes.
            s.add(Event(case_id=new.id, at=now, actor=actor[:60], action="created", reason=""))
            s.add(Event(case_id=new.id, at=now, actor=actor[:60], action="replaces", reason=f"case {old.id}"))
            if new.approval == "awaiting":  # the old one is withdrawn when this one is approved
                new.replace_reason = reason.strip()[:240]
                return
            self._withdraw_replaced(s, old, new, reason.strip(), actor=actor, now=now)

        return self._record_numbered(inst, configuration_id, claims, record, actor=actor, holder=holder)

    @staticmethod
    def _posting_rules(s: Session, inst: Institution, case: Case, *, replaces: Case | None, derogation: str | None,
                       confirm_overlap: bool | None, actor: str) -> None:
        """An A1 judged with the institution's other A1s of the person (:func:`issuer.rules.posting_check`),
        in the transaction that records it, so that two clerks recording at once are judged in turn.

        - 883/2004 Art. 12(1), Decision A2 point 3(c): with the A1s of the same posting less than two
          months apart, more than 24 months is refused at ``ending_date`` (Art. 16, status 11, is the
          only route); within 24 months, a gap under two months is recorded only with the clerk's
          ``derogation`` reason (409 ``pda1.posting_chain`` without), kept in the case's history.
        - Art. 11(1): an active A1 of the person whose period overlaps: ``confirm_overlap`` False (the
          form, until the clerk ticks "record anyway") refuses it (409 ``pda1.overlap``); True or None
          (the API and the CSV, unless the body says false) records it, the overlap named in the
          history (``overlap_confirmed`` or ``overlap_noted``).
        - A replacement of an A1 whose period has begun starts no later than it
          (``pda1.replacement_uncovers``): the replaced copy is superseded, and the days from its
          start would have none.

        The replaced case is no other A1 of the posting: its period is the new one's. Withdrawn and
        superseded A1s count for nothing (withdrawal works from the start, 987/2009 Art. 5; a
        superseded one's period is its replacement's)."""
        if case.configuration_id != pda1.CONFIGURATION_ID:
            return
        new = case.claims
        if replaces is not None:
            old_start = str(replaces.claims.get("starting_date", ""))
            begun = bool(old_start) and old_start <= utc(case.created_at).date().isoformat()
            if begun and str(new["starting_date"]) > old_start:
                next_day = date.fromisoformat(str(replaces.claims["ending_date"])) + timedelta(days=1)
                raise invalid("starting_date", "pda1.replacement_uncovers", old_start=old_start,
                              next_day=next_day.isoformat())
        pin = fold(str(new.get("personal_administrative_number", "")))
        found = select(Case).where(Case.entity_id == inst.entity.id, Case.configuration_id == case.configuration_id,
                                   Case.state.in_(("active", "suspended")), Case.erased_at.is_(None),
                                   Case.id != case.id, Case.search.contains(pin, autoescape=True))
        if replaces is not None:
            found = found.where(Case.id != replaces.id)
        others = [Recorded(o.id, o.claims, o.state) for o in s.scalars(found)]
        check = posting_check(new, others)
        if check.chain and check.over_24_months:
            raise invalid("ending_date", "pda1.posting_chain_months", **a1_params(check.chain[0]),
                          months=check.months)
        now, who = case.created_at, actor[:60]
        if check.gaps:
            if derogation is None:
                gap = a1_params(check.gaps[-1])
                raise refusal("pda1.posting_chain", number=gap["number"], start=gap["start"], end=gap["end"],
                              months=check.months)
            if not derogation.strip():
                raise invalid("derogation_reason", "reason.required")
            named = ", ".join(str(a1_params(o)["number"]) for o in check.gaps)
            s.add(Event(case_id=case.id, at=now, actor=who, action="posting_derogation",
                        reason=f"{derogation.strip()[:200]} (Decision A2 3(c); A1 {named})"[:300]))
        if check.overlaps:
            if confirm_overlap is False:
                other = a1_params(check.overlaps[0])
                raise refusal("pda1.overlap", number=other["number"], start=other["start"], end=other["end"])
            named = ", ".join(str(a1_params(o)["number"]) for o in check.overlaps)
            s.add(Event(case_id=case.id, at=now, actor=who, reason=f"A1 {named}"[:300],
                        action="overlap_confirmed" if confirm_overlap else "overlap_noted"))

    @staticmethod
    def _withdraw_replaced(s: Session, old: Case, new: Case, reason: str, *, actor: str, now: datetime) -> None:
        """``old`` replaced by ``new`` (state ``replaced``, its credentials REPLACED), with the clerk's
        ``reason`` in its history. Its grants end, as a withdrawal's do: nothing more is renewed from it."""
        IssuerService._set_status(s, old, "replaced")
        IssuerService._end_if_never_a_document(s, old, now)
        s.add(Event(case_id=old.id, at=now, actor=actor[:60], action="replaced",
                    reason=f"{reason[:240]} (case {new.id})"))

    @staticmethod
    def _replaced_by(s: Session, case: Case) -> str | None:
        """For a replaced case, the id of the case that replaced it: recorded without approval, or
        approved (a replacement refused, or still awaiting, replaced nothing). None for any other.
        A case replaced under a release before state ``replaced`` was withdrawn (``revoked``, its
        status INVALID, which is final and stays so): the replacement naming it still links them."""
        if case.state not in ("replaced", "revoked"):
            return None
        found = s.scalar(select(Case.id).where(Case.replaces == case.id, Case.entity_id == case.entity_id,
                                               or_(Case.approval.is_(None), Case.approval == "approved"))
                         .order_by(Case.created_at.desc()).limit(1))
        return str(found) if found is not None else None

    @staticmethod
    def _awaiting_replacement(s: Session, case: Case) -> str | None:
        """The id of a replacement of ``case`` still awaiting a second clerk's approval, if any."""
        found = s.scalar(select(Case.id).where(Case.replaces == case.id, Case.entity_id == case.entity_id,
                                               *IssuerService._approval_filter("awaiting")).limit(1))
        return str(found) if found is not None else None

    def list_cases(self, inst: Institution, *, limit: int = 200, offset: int = 0,
                   query: str = "", approval: str = "", reader: str | None = None,
                   persons: bool = False) -> list[dict[str, Any]]:
        """The institution's cases, newest first; with ``query``, those whose number, person or
        employer has every word of it (:mod:`issuer.case_search`); with ``approval``, those awaiting
        a second clerk's approval (:meth:`_approval_filter`), or approved, or refused. ``reader``: the
        clerk, whose search or listing is recorded (:class:`issuer.db.CaseSearch`: who, when, how many
        cases shown; never ``query``, a person's name or number: GDPR Art. 5(2), Art. 32(1)(b), (d)).
        ``persons`` (the back office's search results): each case found by a ``query`` also says whom
        it is for (``person``, :func:`issuer.case_search.person_shown`: the name and birth date, and
        only the fields the query matched), for the clerk to tell namesakes apart; a listing without
        words, and an erased case, say no one."""
        limit, offset = min(max(limit, 1), 1000), min(max(offset, 0), 2**31 - 1)  # within a database integer
        found = select(Case).where(Case.entity_id == inst.entity.id, *self._approval_filter(approval))
        for forms in query_forms(query):  # every word, as typed or as a number without its separators
            found = found.where(or_(*(Case.search.contains(form, autoescape=True) for form in forms)))
        with self.sessions.begin() if reader else self.sessions() as s:
            rows = s.scalars(found.order_by(Case.created_at.desc(), Case.id).limit(limit).offset(offset)).all()
            counts = dict(s.execute(select(CredentialRecord.case_id, func.count()).where(
                CredentialRecord.case_id.in_([r.id for r in rows])).group_by(CredentialRecord.case_id)).all())
            if reader:
                kind = "searched" if query.strip() else "listed"  # not a case's event: no name in its history
                s.add(CaseSearch(entity_id=inst.entity.id, at=self._now(), actor=reader[:60], action=kind,
                                 found=len(rows)))
            found_cases = [self._case_json(r, counts.get(r.id, 0)) for r in rows]
            if persons and query.strip():
                for out, row in zip(found_cases, rows, strict=True):
                    if row.erased_at is None:
                        out["person"] = person_shown(row.configuration_id, row.claims or {}, row.holder, query)
            return found_cases

    def case_searches(self, inst: Institution, *, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        """The institution's recorded searches and listings of its cases, newest first (:meth:`list_cases`),
        ``limit`` (at most 1000) from ``offset``."""
        offset = min(max(offset, 0), 2**31 - 1)  # within a database integer
        with self.sessions() as s:
            rows = s.scalars(select(CaseSearch).where(CaseSearch.entity_id == inst.entity.id)
                             .order_by(CaseSearch.id.desc()).limit(min(max(limit, 1), 1000)).offset(offset)).all()
            return [{"at": utc(r.at).isoformat(), "actor": r.actor, "action": r.action, "found": r.found}
                    for r in rows]

    def purge_case_searches(self, days: int, *, inst: Institution | None = None) -> int:
        """Storage limitation (GDPR Art. 5(1)(e)): delete the search log's entries (:meth:`list_cases`
        ``reader``) older than ``days`` (``ESSPASS_ISSUER_SEARCH_LOG_DAYS``), of one institution (its
        administrator's page) or of all (the daily housekeeping); 0 keeps them. Returns how many."""
        if days <= 0:
            return 0
        old = [CaseSearch.at < self._now() - timedelta(days=days)]
        if inst is not None:
            old.append(CaseSearch.entity_id == inst.entity.id)
        with self.sessions.begin() as s:
            # Counted by rows found, not rowcount: a driver may not tell how many a DELETE removed.
            counted = int(s.scalar(select(func.count()).select_from(CaseSearch).where(*old)) or 0)
            s.execute(delete(CaseSearch).where(*old))
        return counted

    @staticmethod
    def _approval_filter(approval: str) -> tuple[Any, ...]:
        """``awaiting``: the cases a clerk can still approve or refuse (not withdrawn meanwhile, e.g.
        replaced, nor erased; a suspended one is approved once reinstated, and still stands in the way
        of a second replacement); ``approved``, ``refused``: as recorded; empty: every case."""
        if not approval:
            return ()
        if approval == "awaiting":
            return Case.approval == "awaiting", Case.state.not_in(FINAL_STATES), Case.erased_at.is_(None)
        if approval in ("approved", "refused"):
            return (Case.approval == approval,)
        raise invalid("approval", "approval.value")

    def overlaps_noted(self, case_id: str) -> str:
        """The A1s the case was recorded beside with nobody's word that both are meant (its
        ``overlap_noted`` history line, :meth:`_posting_rules`: "A1 LV-VSAA-2026-..."), "" for none.
        A CSV import's report says it at the row: no box was ticked there, and a file imported twice
        (a reload of the answer resends it) records each person's A1 again (883/2004 Art. 11(1))."""
        with self.sessions() as s:
            return str(s.scalars(select(Event.reason).where(Event.case_id == case_id,
                                                            Event.action == "overlap_noted")).first() or "")

    def awaiting_approval(self, inst: Institution) -> int:
        """How many of the institution's cases a second clerk is to approve (as ``approval=awaiting`` lists)."""
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(Case).where(
                Case.entity_id == inst.entity.id, *self._approval_filter("awaiting"))) or 0)

    def _case_json(self, case: Case, credentials: int) -> dict[str, Any]:
        return {"id": case.id, "configuration_id": case.configuration_id, "label": case.label,
                "state": case.state, "created_at": utc(case.created_at).isoformat(), "credentials": credentials,
                "erased_at": utc(case.erased_at).isoformat() if case.erased_at is not None else None,
                "approval": case.approval, "created_by": case.created_by}

    def get_case(self, inst: Institution, case_id: str, *, reader: str | None = None) -> dict[str, Any]:
        """The case with its claims, holder, credentials and history. ``reader``: the clerk reading it
        (the back office page, the API), recorded in the history as ``viewed`` (GDPR Art. 5(2), Art.
        32(1)(b), (d)) unless that clerk's last ``viewed`` of this case is within
        :data:`VIEW_EVENT_EVERY`; None for the case shown back after a change, which has its own event.
        ``events``: what was done with the case; ``reads``: who read it and when (``viewed``), apart.
        Each credential record names its
        status list as the status list URI does (``status_list``: the list's number in
        ``/<institution>/status/<number>``, and ``status_list_uri``), never a database id;
        ``replaces``: the case this one replaces; ``replaced_by``: for a replaced case, the case that
        replaced it (its newest replacement that is a document); ``replacement_awaiting``: a replacement of this one
        that awaits a second clerk's approval (four-eyes), until then this one stays as it is;
        ``offer_refusal`` and ``paper_refusal``: what an offer or a paper copy would be refused for now
        (``rule``, ``rule_key``, ``rule_params``, as the refusal's answer says it), or None."""
        now = self._now()
        with self.sessions.begin() if reader else self.sessions() as s:
            case = self._case(s, inst, case_id)
            if reader:
                self._record_view(s, case, reader[:60], now)
            creds = s.execute(select(CredentialRecord, StatusListRecord.number)
                              .join(StatusListRecord, StatusListRecord.id == CredentialRecord.list_id)
                              .where(CredentialRecord.case_id == case.id).order_by(CredentialRecord.issued_at)).all()
            events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()
            out = self._case_json(case, len(creds))
            out["claims"] = case.claims
            out["holder"] = case.holder
            out["replaces"] = case.replaces
            out["replaced_by"] = self._replaced_by(s, case)
            out["replacement_awaiting"] = self._awaiting_replacement(s, case)
            out["offer_refusal"] = _refusal_json(self._offer_refused(inst, case, now))
            out["paper_refusal"] = _refusal_json(self._paper_refused(inst, case, now))
            # Wallets that may still renew its copies or fetch it (live grants): what end_renewals ends.
            out["renewal_grants"] = self._renewal_grants(s, case, now)
            out["description"] = {lang: CREDENTIAL_TYPES[case.configuration_id].describe(case.claims, lang)
                                  if case.erased_at is None else "" for lang in ("en", "lv", "de", "fr", "pl")}
            out["credential_records"] = [
                {"id": c.id, "status_list": number, "status_list_uri": f"{inst.issuer_url}/status/{number}",
                 "idx": c.idx, "status": c.status, "issued_at": utc(c.issued_at).isoformat(),
                 "expires_at": utc(c.expires_at).isoformat(), "notification": c.notification_event,
                 "wallet": grant_handle(c.grant_id) if c.grant_id else None}
                for c, number in creds]
            out["wallets"] = self._wallet_copies(s, [c for c, _number in creds], now)
            history = [{"at": utc(e.at).isoformat(), "actor": e.actor, "action": e.action, "reason": e.reason}
                       for e in events]
            # What was done with the case, and apart who read it: an integrator taking events[-1] for
            # the last change is not told a read (the back office page shows both, in time order).
            out["events"] = [e for e in history if e["action"] not in READ_ACTIONS]
            out["reads"] = [e for e in history if e["action"] in READ_ACTIONS]
            return out

    @staticmethod
    def _record_view(s: Session, case: Case, actor: str, now: datetime) -> None:
        """A ``viewed`` event for ``actor`` on ``case``, unless one is within :data:`VIEW_EVENT_EVERY`."""
        recent = s.scalar(select(Event.id).where(Event.case_id == case.id, Event.actor == actor,
                                                 Event.action == "viewed", Event.at > now - VIEW_EVENT_EVERY)
                          .limit(1))
        if recent is None:
            s.add(Event(case_id=case.id, at=now, actor=actor, action="viewed", reason=""))
            s.flush()

    @staticmethod
    def _still_held(case: Case) -> None:
        if case.erased_at is not None:
            raise refusal("case.erased")

    def purge_expired(self) -> int:
        """Delete what no request can use any more, so that the tables do not grow with every wallet
        that ever asked: deferred transactions and refresh tokens past their end (a grant's end:
        a rotated-out refresh token is kept until then, to tell its reuse), pushed authorization
        requests and codes past theirs, access tokens past theirs but for the one a live refresh
        token renews (:meth:`_refreshed` reads what it carried), and the one-time ids of imports made
        more than :data:`IMPORT_KEPT` ago (:meth:`claim_import`). Returns how many rows."""
        now = self._now()
        renewed = select(RefreshToken.access_hash).where(RefreshToken.state == "active", RefreshToken.expires_at >= now)
        with self.sessions.begin() as s:
            # Count by rows found, not rowcount: a driver may not tell how many a DELETE removed.
            counted = 0
            for table, ended in ((DeferredTransaction, DeferredTransaction.expires_at < now),
                                 (RefreshToken, RefreshToken.expires_at < now),
                                 (Authorization, Authorization.expires_at < now),
                                 (ImportRecord, ImportRecord.at < now - IMPORT_KEPT),
                                 (Token, and_(Token.expires_at < now, Token.token_hash.not_in(renewed)))):
                counted += int(s.scalar(select(func.count()).select_from(table).where(ended)) or 0)
                s.execute(delete(table).where(ended))
        return counted

    # --- imports under a one-time id (issuer.db.ImportRecord) --------------------------------------------

    def claim_import(self, inst: Institution, import_id: str, *, actor: str, file_hash: str,
                     again: bool = False) -> None:
        """Record that the import under ``import_id`` of the file ``file_hash`` (:func:`issuer.db.file_digest`)
        begins, or refuse it saying what the earlier one did: :class:`ImportRepeated` when an earlier request
        of the institution used the id, :class:`SameFile` when an earlier import brought the same file and
        recorded cases or has not finished, unless ``again`` (the clerk confirmed importing it again).

        The primary key (institution, the id's SHA-256) and the unique ``file_claim`` (institution, the
        file's hash, for an import not confirmed as a repeat) let exactly one of two requests sent at once
        through, whichever worker and database serves them: the other's insert fails, and the look that
        follows it finds the row it met."""
        key = stored_hash(import_id)
        for _ in range(2):
            with self.sessions() as s:
                earlier = s.get(ImportRecord, (inst.entity.id, key))
                if earlier is not None:
                    raise _repeated(s, earlier, file_hash)
                # One that recorded no case (imported 0) is no reason to ask: nothing would be recorded twice.
                same = None if again else s.scalars(
                    select(ImportRecord).where(ImportRecord.entity_id == inst.entity.id,
                                               ImportRecord.file_hash == file_hash,
                                               or_(ImportRecord.imported.is_(None), ImportRecord.imported > 0))
                    .order_by(ImportRecord.at.desc()).limit(1)).first()
                if same is not None and same.id_hash == key:  # committed between the two looks: this id's own
                    raise _repeated(s, same, file_hash)
                if same is not None:
                    raise SameFile(utc(same.at), same.imported, same.rejected)
            try:
                with self.sessions.begin() as s:
                    s.add(ImportRecord(entity_id=inst.entity.id, id_hash=key, at=self._now(), actor=actor[:60],
                                       file_hash=file_hash, file_claim=None if again else file_hash))
                return
            except IntegrityError:
                # Another request took the id or the file meanwhile: the look above, again, says which; or
                # it was released meanwhile (its file refused whole, nothing recorded): this one may make it.
                continue
        raise ImportRepeated(self._now(), None, None)

    def refuse_repeated_import(self, inst: Institution, import_id: str, file_hash: str | None = None) -> None:
        """:class:`ImportRepeated` when an earlier request of the institution made (or makes) the import
        under ``import_id`` (its ``replay`` set, or :class:`ImportKeyReused` for another file, when
        ``file_hash`` is given: :func:`_repeated`). The office checks before the file is read, so that a
        reload whose browser could not send the file again (moved, deleted since) is told so too, not
        that the file is empty. Only a look: :meth:`claim_import` is what lets one request through."""
        with self.sessions() as s:
            earlier = s.get(ImportRecord, (inst.entity.id, stored_hash(import_id)))
            if earlier is not None:
                raise _repeated(s, earlier, file_hash)

    def finish_import(self, inst: Institution, import_id: str, report: Sequence[Mapping[str, Any]], *,
                      replay: bool = False) -> None:
        """Record how many rows the import under ``import_id`` imported and rejected (:meth:`claim_import`);
        one that recorded no case leaves its file free to come again unasked (``file_claim``). ``replay``
        (an API import under an ``Idempotency-Key``): its answer's rows are kept too, when it finished
        whole (:func:`replayable_rows`), for a retry to get them again."""
        imported = sum(1 for row in report if row.get("ok"))
        done: dict[str, Any] = {"imported": imported, "rejected": len(report) - imported}
        if not imported:
            done["file_claim"] = None
        if replay and not any(row.get("retry") for row in report):  # stopped: its retry is refused, as before
            done["outcome"] = replayable_rows(report)
        with self.sessions.begin() as s:
            s.execute(update(ImportRecord).where(ImportRecord.entity_id == inst.entity.id,
                                                 ImportRecord.id_hash == stored_hash(import_id)).values(**done))

    def release_import(self, inst: Institution, import_id: str) -> None:
        """Forget the import under ``import_id``: its file was refused whole and recorded nothing, so the
        same request sent again is judged again (and refused the same way), not told it was imported."""
        with self.sessions.begin() as s:
            s.execute(delete(ImportRecord).where(ImportRecord.entity_id == inst.entity.id,
                                                 ImportRecord.id_hash == stored_hash(import_id)))

    def erase_ended(self, retention_days: int, *, dry_run: bool = False, batch: int = 500) -> int:
        """Storage limitation (GDPR Art. 5(1)(e)): erase the personal data of every case whose
        document ended, and whose credentials all expired, more than ``retention_days`` ago, and
        which was recorded and last used (:data:`_USE_ACTIONS`, a credential issued) more than
        ``retention_days`` ago too: an A1 recorded after its period (987/2009 Art. 15), or a card
        typed with an expiry already past, gets the whole period from its recording, so that the
        clerk can still read it, correct it (a replacement) or withdraw it.

        The claims, the holder's names and the search text go; what stays is the case's type,
        state, document number (the institution's own reference; a PID's label, its holder's
        name, is replaced) and history, and its status list entries, so a withdrawal still shows.
        Open offers are closed. Returns how many cases were (with ``dry_run``: would be, by the
        same rule) erased.

        A case that never was a document (refused by the second clerk, or withdrawn before anything
        was issued, offered or printed from it) ends at its refusal or withdrawal
        (:meth:`_end_if_never_a_document` moves its ``ends_at`` then), so its period counts from then,
        not from the end of the period the document would have covered.

        Cases are erased ``batch`` at a time, each batch in its own transaction, so the first run
        over years of an institution's cases neither holds its locks for long nor starts again from
        nothing when it is interrupted; a case is erased wholly or not at all.

        Once anything was erased (never on a dry run), no copy of it may stay readable in the
        database's files (Art. 5(1)(e), Art. 17): :meth:`_release_erased` empties SQLite's
        write-ahead log, and, when a reader kept it from that, the next run tries again even when it
        erases nothing itself.
        """
        if retention_days <= 0:
            return 0
        erased = self._erase_ended(retention_days, dry_run=dry_run, batch=batch)
        if not dry_run and (erased or self.erasure_unreleased):
            self._release_erased()
        return erased

    def unnamed_cards(self) -> dict[str, dict[str, int]]:
        """How many EHIC cases of the holder's own and A1 cases each institution holds that name no
        holder (Decision S2 fields 3-5, the A1's section 1; :func:`_unnamed`), by configuration id:
        recorded before the rule, they are neither offered nor renewed until replaced. Withdrawn,
        replaced and erased cases are left out (nothing is issued from them); institutions with none are
        not named. For ``esspass issuer check``."""
        counts: dict[str, dict[str, int]] = {}
        named_ids = [cid for cid, mod in CREDENTIAL_TYPES.items() if mod in (ehic, pda1)]
        with self.sessions() as s:
            rows = s.execute(select(Case.entity_id, Case.configuration_id, Case.claims, Case.holder).where(
                Case.configuration_id.in_(named_ids), Case.erased_at.is_(None),
                Case.state.not_in(("revoked", "replaced"))))
            for entity_id, configuration_id, claims, holder in rows:
                if _unnamed(configuration_id, claims or {}, holder):
                    kinds = counts.setdefault(entity_id, {})
                    kinds[configuration_id] = kinds.get(configuration_id, 0) + 1
        return counts

    def _release_erased(self) -> None:
        """Empty the write-ahead log after an erasure (:func:`esspass.db.release_erased`): until then it
        holds the erased values as they were. A reader holding an older snapshot may keep it from that:
        logged (without anything of the cases: which cases were erased is in their history), and
        :attr:`erasure_unreleased` set for the next run to try again."""
        released = release_erased_or_warn(self.engine, "issuer")
        self.erasure_unreleased = not released

    def _erase_ended(self, retention_days: int, *, dry_run: bool, batch: int) -> int:
        """:meth:`erase_ended` but the release of the log: how many cases were (would be) erased."""
        now = self._now()
        cutoff = now - timedelta(days=retention_days)
        erased, after = 0, ""
        # (A case without ends_at, recorded by a worker that did not know the column yet, is met to have it.)
        ended_cases = (select(Case).where(Case.erased_at.is_(None), or_(and_(Case.ends_at < cutoff,
                                                                             Case.created_at < cutoff),
                                                                        Case.ends_at.is_(None)))
                       .order_by(Case.id).limit(batch))
        while True:
            if after:
                # Between batches others get the write lock (on SQLite one writer at a time): a clerk's
                # change waits for one batch at most, not the whole run.
                time.sleep(0.02)
            with self.sessions.begin() as s:
                # FOR UPDATE: a second worker erasing at the same time waits, then finds these erased.
                # FOR NO KEY UPDATE: rows pointing at the case (offers, tokens) may still be written meanwhile.
                # By id, after the last batch: cases kept for a credential that lives on are not met again.
                cases = s.scalars(ended_cases.where(Case.id > after).with_for_update(key_share=True)).all()
                if not cases:
                    return erased
                after = cases[-1].id
                ids = [c.id for c in cases]
                # A credential issued late (a PID without an expiry date lives 5 years from issuance).
                credentials = {case_id: (expires, issued) for case_id, expires, issued in s.execute(
                    select(CredentialRecord.case_id, func.max(CredentialRecord.expires_at),
                           func.max(CredentialRecord.issued_at))
                    .where(CredentialRecord.case_id.in_(ids)).group_by(CredentialRecord.case_id))}
                used = {case_id: at for case_id, at in s.execute(
                    select(Event.case_id, func.max(Event.at))
                    .where(Event.case_id.in_(ids), Event.action.in_(_USE_ACTIONS)).group_by(Event.case_id))}
                due: dict[str, str] = {}  # case id -> why now, for its history
                for case in cases:
                    ends = case.ends_at
                    if ends is None:  # recorded by a worker that did not know the column yet
                        ends = document_end(case.claims, utc(case.created_at))
                        if not dry_run:
                            case.ends_at = ends
                    expires, issued = credentials.get(case.id, (None, None))
                    ended = max(utc(ends), utc(expires)) if expires is not None else utc(ends)
                    last_use = max([utc(case.created_at), *(utc(at) for at in (used.get(case.id), issued)
                                                            if at is not None)])
                    if ended >= cutoff or last_use >= cutoff:
                        continue
                    # Ended before its document would have: refused, or withdrawn with nothing issued.
                    never = expires is None and case.state in FINAL_STATES and \
                        utc(ends) < document_end(case.claims, utc(case.created_at))
                    ended_how = "refused" if case.approval == "refused" else \
                        "replaced" if case.state == "replaced" else "withdrawn"
                    due[case.id] = (f"{retention_days} days after the case was {ended_how} "
                                    f"({ended:%Y-%m-%d}), nothing having been issued from it"
                                    if never and ended >= last_use else
                                    f"{retention_days} days after the document ended ({ended:%Y-%m-%d})"
                                    if ended >= last_use else
                                    f"{retention_days} days after the case was last recorded or used "
                                    f"({last_use:%Y-%m-%d}; the document ended {ended:%Y-%m-%d})")
                erased += len(due)
                if dry_run or not due:
                    continue
                # The clerks' reasons are free text, which may name the person: the actions stay.
                s.execute(update(Event).where(Event.case_id.in_(list(due))).values(reason=""))
                s.execute(update(Offer).where(Offer.case_id.in_(list(due)), Offer.state == "open")
                          .values(state="used", code=None))
                self._end_grants(s, list(due))
                for case in cases:
                    if case.id in due:
                        case.claims, case.holder, case.search, case.erased_at = {}, None, None, now
                        case.replace_reason = None
                        if CREDENTIAL_TYPES[case.configuration_id] is pid:
                            case.label = f"PID {case.id[:8]}"
                        s.add(Event(case_id=case.id, at=now, actor="retention", action="erased", reason=due[case.id]))

    def _case(self, s: Session, inst: Institution, case_id: str, *, lock: bool = False) -> Case:
        """The institution's case; ``lock``: held until the transaction ends, so that a change of
        state, a replacement and a credential being recorded for it happen one after another."""
        case = s.get(Case, case_id, with_for_update={"key_share": True} if lock else None)
        if case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("not_found", "no such case", http_status=404)
        return case

    def create_offer(self, inst: Institution, case_id: str, *, actor: str) -> IssuedOffer:
        """A new credential offer for the case: pre-authorized code + a 6-digit tx_code, shown once.

        409 for a case nothing can be issued from, said before the worker types the code
        (:meth:`_offer_refused`): erased, withdrawn (final: a new case is the way), suspended
        (reinstate it first), or an EHIC card or PID that has expired (:meth:`_ended`; an A1 or PRC whose
        period has ended is offered); 503 while the institution's signer chain has ended (until its
        certificate is renewed)."""
        now = self._now()
        tx_code = f"{secrets.randbelow(10**6):06d}"
        offer_id = secrets.token_urlsafe(24)
        code = self.offer_secrets.code(offer_id)  # never stored: made again when the offer URI is served
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id)
            refused = self._offer_refused(inst, case, now)
            if refused is not None:
                raise _told(inst, refused)
            # A clerk makes a new offer when the last one did not work: the earlier QR codes stop working.
            s.execute(update(Offer).where(Offer.case_id == case.id, Offer.state == "open")
                      .values(state="replaced", code=None))
            # ... or when the worker's phone was lost or stolen: the wallets that took an earlier offer
            # renew nothing more (their grants end, RFC 7009 §2.2 in spirit); the new one gets its own.
            self._end_grants(s, [case.id])
            s.execute(update(Token).where(Token.case_id == case.id, Token.expires_at >= now)
                      .values(expires_at=now - timedelta(seconds=1)))
            s.add(Offer(id=offer_id, case_id=case.id, code=None, code_hash=stored_hash(code),
                        tx_code_hash=self.offer_secrets.tx_mac(code, tx_code), scheme=OFFER_KEY_SCHEME, attempts=0,
                        expires_at=now + timedelta(seconds=self.offer_ttl), state="open"))
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="offered", reason=""))
        uri = f"{inst.issuer_url}/offers/{offer_id}"
        return IssuedOffer(offer_id, openid4vci.offer_link(offer_uri=uri), uri, tx_code,
                           now + timedelta(seconds=self.offer_ttl))

    def _offer_refused(self, inst: Institution, case: Case, now: datetime) -> ProtocolError | None:
        """What an offer of ``case`` is refused for now (409, by its key), or None: an erased case, a
        withdrawn one (final: a new case is the way), one suspended (reinstate it first), a card or PID
        that has expired (:meth:`_ended`; never an A1 or PRC for its period); and 503 while the
        institution's signer chain has ended (:func:`_signer_expired`): the wallet would be refused after
        the worker typed the code."""
        if case.erased_at is not None:
            return refusal("case.erased")
        if case.state == "revoked":
            return refusal("case.withdrawn_offer")
        if case.state == "replaced":
            return refusal("case.replaced")
        if case.state != "active":
            return refusal("case.not_active", state=case.state)
        return self._ended(inst, case, now, "case.ended_offer") or (
            refusal(_unnamed_rule(case.configuration_id, "case.no_holder_offer"))
            if _unnamed(case.configuration_id, case.claims, case.holder)
            else None) or self.type_refused(inst, case.configuration_id) or _signer_expired(inst, now, self.signer)

    def _paper_refused(self, inst: Institution, case: Case, now: datetime) -> ProtocolError | None:
        """What a paper copy of ``case`` is refused for now (by its key), or None: a PID (400: it has
        no paper form), and 409 for an erased, withdrawn or suspended case, one awaiting a second
        clerk's approval, a card that has expired (:meth:`_ended`), and a case without the holder's
        name and birth date (the inspector compares them with an identity document: no QR that names
        nobody); 503 while the institution's signer chain has ended (:func:`_signer_expired`)."""
        if case.configuration_id == pid.CONFIGURATION_ID:
            return refusal("case.pid_paper", http_status=400)
        if case.erased_at is not None:
            return refusal("case.erased")
        if case.state == "revoked":
            return refusal("case.withdrawn_paper")
        if case.state == "replaced":
            return refusal("case.replaced")
        if case.state != "active":
            return refusal("case.state", state=case.state)
        if case.approval == "awaiting":
            return refusal("case.awaiting")
        return self._ended(inst, case, now, "case.ended_paper") or (
            None if _holder_named(case.holder) or _represented(case.configuration_id, case.claims)
            else refusal("case.no_holder_paper")) or self.type_refused(inst, case.configuration_id) \
            or _signer_expired(inst, now, self.signer)

    @staticmethod
    def _ended(inst: Institution, case: Case, now: datetime, key: str) -> ProtocolError | None:
        """409 ``key`` (``case.ended_offer``, ``case.ended_paper``, with the ``date`` it ended) when
        the document has expired (its expiry date, :func:`document_end`, as the credential endpoint
        judges it: :func:`document_expired`): the wallet would be refused only after the worker typed
        the code, and a paper copy would be void when printed. Never for a document that certifies a
        period (an A1, a PRC), whose period may have ended: it is the proof of that period
        (:func:`certifies_period`), handed over and printed as any other."""
        claims: Any = case.claims
        if CREDENTIAL_TYPES[case.configuration_id] is pid:
            claims = _pid_metadata(inst, claims, pid.provider_expiry(utc(case.created_at).date()))
        if not document_expired(claims, now, inst.entity.country):
            return None
        return refusal(key, date=f"{document_end(claims, now).astimezone(_LAST_ZONE):%Y-%m-%d}")

    def _offer_code(self, offer: Offer, void: ProtocolError) -> str | None:
        """The pre-authorized code of ``offer`` while it is open (None once it ended): kept in its row
        for an offer made before migration 0016, else made from the offer key (:class:`OfferSecrets`).

        A code whose hash is not the row's was made under another offer key: the key file was
        replaced (lost, or a data directory restored without it), or this replica was not given the
        others' key file. Either way nothing this issuer holds can make the code or check the
        tx_code, so the offer is void here: ``void`` (404 at the offer URI, invalid_grant at the
        token endpoint: "ask your institution for a new one"), never a code no one redeems, nor a
        wrong tx_code counted against the worker; the operator is told which two causes to look for."""
        if offer.scheme is None:
            return offer.code
        if offer.state != "open":
            return None
        code = self.offer_secrets.code(offer.id)
        if not hmac.compare_digest(stored_hash(code), offer.code_hash):
            _log.warning("an offer made under another offer key is void here: the key file was replaced, or this "
                         "replica does not share the others' (ESSPASS_ISSUER_OFFER_KEY_FILE)",
                         extra={"service": "issuer", "event": "offer_key_mismatch"})
            raise void
        return code

    def set_state(self, inst: Institution, case_id: str, state: str, *, reason: str, actor: str) -> dict[str, Any]:
        """Revoke, suspend or reinstate every credential of a case, visible in the next status token.

        A revoked case stays revoked (RFC draft §7.1: INVALID is final). A replaced one (REPLACED,
        final too) may only be withdrawn: then INVALID, a document void from its first day. One
        withdrawn before anything was issued, offered or printed from it ends then
        (:meth:`_end_if_never_a_document`).
        """
        if state not in SETTABLE_STATES:
            raise invalid("state", "state.value")
        if not reason.strip() and state != "active":
            raise invalid("reason", "reason.required")
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            if case.state == "revoked" and state != "revoked":
                raise refusal("case.revoked_final")
            if case.state == "replaced" and state != "revoked":
                raise refusal("case.replaced_final")
            if case.state == state:  # nothing changes: no event in its history, no new status list version
                raise refusal("case.already", state=state)
            self._set_status(s, case, state)
            if state == "revoked":
                self._end_if_never_a_document(s, case, now)
            action = {"active": "reinstated", "suspended": "suspended", "revoked": "revoked"}[state]
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action=action, reason=reason[:300]))
        return self.get_case(inst, case_id)

    def end_renewals(self, inst: Institution, case_id: str, *, reason: str, actor: str) -> dict[str, Any]:
        """A clerk ends every wallet's renewal of the case's copies (HAIP 1.0 §4 refresh grants), the
        document staying as it is: the worker's phone was lost or stolen, or a wallet should fetch
        nothing more of it, while the document itself is valid (a withdrawal would void it, 987/2009
        Art. 5). RFC 7009 §2.1 in spirit, the institution's side: each grant's live refresh token
        ends (state ``ended``) and its access tokens with it, so a wallet's next refresh is
        ``invalid_grant`` (:meth:`_refreshed` says why), which the wallet takes as the end of its grant
        and tells the worker to ask the institution for a new offer. The copies already held stay as
        they are, valid until they end (key-bound to the wallet that holds them). A new offer of the case
        ends the grants too (:meth:`create_offer`), but hands over an offer; this ends them alone.

        Recorded in the case history (``renewals_ended``, the clerk's ``reason``) and logged without
        anything of the person. 409 ``case.no_renewals`` when no wallet holds a live grant of the case
        (withdrawn, replaced and erased cases hold none: their grants ended with them)."""
        if not reason.strip():
            raise invalid("reason", "reason.required")
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            self._still_held(case)
            grants = list(s.scalars(select(RefreshToken.grant_id).where(
                RefreshToken.case_id == case.id, RefreshToken.state == "active",
                RefreshToken.expires_at >= now).distinct()))
            if not grants:
                raise refusal("case.no_renewals")
            s.execute(update(RefreshToken).where(RefreshToken.grant_id.in_(grants), RefreshToken.state == "active")
                      .values(state="ended"))
            s.execute(update(Token).where(Token.grant_id.in_(grants), Token.expires_at >= now)
                      .values(expires_at=now - timedelta(seconds=1)))
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="renewals_ended",
                        reason=reason.strip()[:300]))
        _log.info("a clerk ended the copy renewals of %d wallet grant(s)", len(grants),
                  extra={"service": "issuer", "event": "renewals_ended", "entity": inst.entity.id})
        return self.get_case(inst, case_id)

    def _renewal_grants(self, s: Session, case: Case, now: datetime) -> int:
        """How many wallets hold a live grant of ``case`` (a refresh token, :meth:`end_renewals`)."""
        return int(s.scalar(select(func.count(func.distinct(RefreshToken.grant_id))).where(
            RefreshToken.case_id == case.id, RefreshToken.state == "active", RefreshToken.expires_at >= now)) or 0)

    @staticmethod
    def _wallet_copies(s: Session, records: Sequence[CredentialRecord], now: datetime) -> list[dict[str, Any]]:
        """The case's copies by the wallet grant that took them (``CredentialRecord.grant_id``: one
        wallet, one phone), in the order taken: ``wallet`` (the grant's handle, :func:`grant_handle`),
        ``taken_at`` and ``renewed_at`` (its first and last copies' issue, None when never renewed),
        ``copies``, ``live`` (copies neither stopped, superseded nor expired), ``stopped`` (copies
        :meth:`stop_copies` stopped) and ``renews`` (a live refresh token). Only what the issuer records
        of the wallet: no device identifier. Copies no grant took (a paper copy) are not listed."""
        grants: dict[str, list[CredentialRecord]] = {}
        for record in records:
            if record.grant_id:
                grants.setdefault(record.grant_id, []).append(record)
        live_grants = set(s.scalars(select(RefreshToken.grant_id).where(
            RefreshToken.grant_id.in_(sorted(grants)), RefreshToken.state == "active",
            RefreshToken.expires_at >= now))) if grants else set()
        out = []
        for grant_id, held in grants.items():
            issued = sorted(utc(r.issued_at) for r in held)
            out.append({"wallet": grant_handle(grant_id), "taken_at": issued[0].isoformat(),
                        "renewed_at": issued[-1].isoformat() if issued[-1] > issued[0] + timedelta(minutes=1)
                        else None,
                        "copies": len(held),
                        "live": sum(1 for r in held if r.status == status_list.VALID and utc(r.expires_at) > now),
                        "stopped": sum(1 for r in held if r.status == status_list.STOPPED),
                        "renews": grant_id in live_grants})
        return sorted(out, key=lambda w: str(w["taken_at"]))

    def stop_copies(self, inst: Institution, case_id: str, wallet: str, *, reason: str, actor: str) -> dict[str, Any]:
        """A clerk stops the copies one wallet took (``wallet``: its grant's handle, as :meth:`get_case`'s
        ``wallets`` names it): the phone holding them was lost or stolen. ARF Annex 2 Topic 38 (a lost
        Wallet Unit's attestations are revoked, not left to expire) and Topic 7, per copy: each of the
        grant's copies not already invalid gets the status STOPPED (:data:`credentials.status_list.STOPPED`)
        in the next status list tokens, kept when the case is suspended and reinstated (``superseded``,
        :meth:`_set_status`), so a relying party refuses it at once, online and offline once it holds the
        list, however often the phone shows it again. The grant ends with them: its access tokens expire,
        its refresh tokens end (the wallet's next renewal is ``invalid_grant``, :meth:`_refreshed`), and a
        deferred issuance pending under it is denied. The document stays as it is (no withdrawal, which
        voids an A1 from its first day, 987/2009 Art. 5), and so do other wallets' copies; a new offer
        hands it to the new phone, before or after.

        A deliberate action of its own, never a side effect of a new offer: a worker who asks for an
        offer for a second phone, or again after a handover that seemed to fail, keeps the copies that
        work. Recorded in the case history (``copies_stopped``, the clerk's ``reason`` and when the
        wallet took them), logged without anything of the person. 404 ``copies.not_found`` for a handle
        the case has none of; 409 ``copies.already_stopped`` when none is left to stop, and
        ``copies.case_final`` for a withdrawn or replaced document (its copies fail already)."""
        if not reason.strip():
            raise invalid("reason", "reason.required")
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            self._still_held(case)
            if case.state in FINAL_STATES:
                raise refusal("copies.case_final", state=_STATE_WORDS[case.state])
            grant_ids = [g for g in s.scalars(select(CredentialRecord.grant_id).where(
                CredentialRecord.case_id == case.id, CredentialRecord.grant_id.is_not(None)).distinct())
                if g and hmac.compare_digest(grant_handle(g).encode(), wallet.encode())]  # any text: bytes
            if not grant_ids:
                raise refusal("copies.not_found", http_status=404)
            grant_id = grant_ids[0]
            # The grant's tokens first: a credential request under it (which locks its token row) is
            # either done, its copies stopped below, or refused for an expired token.
            s.execute(update(Token).where(Token.grant_id == grant_id, Token.expires_at >= now)
                      .values(expires_at=now - timedelta(seconds=1)))
            s.execute(update(RefreshToken).where(RefreshToken.grant_id == grant_id, RefreshToken.state == "active")
                      .values(state="ended"))
            s.execute(update(DeferredTransaction).where(DeferredTransaction.grant_id == grant_id,
                                                        DeferredTransaction.state == "pending")
                      .values(state="denied"))
            # INVALID (superseded by a renewal) and REPLACED stay as they are: final, and saying more.
            which = [CredentialRecord.case_id == case.id, CredentialRecord.grant_id == grant_id,
                     CredentialRecord.status.in_((status_list.VALID, status_list.SUSPENDED))]
            held = s.execute(select(CredentialRecord.id, CredentialRecord.list_id).where(*which)).all()
            if not held:
                raise refusal("copies.already_stopped")
            stopped, list_ids = len(held), {list_id for _id, list_id in held}
            taken = s.scalar(select(func.min(CredentialRecord.issued_at)).where(CredentialRecord.grant_id == grant_id))
            s.execute(update(CredentialRecord).where(*which).values(status=status_list.STOPPED, superseded=True))
            s.execute(update(StatusListRecord).where(StatusListRecord.id.in_(list_ids))
                      .values(version=StatusListRecord.version + 1))
            when = f" ({utc(taken):%Y-%m-%d %H:%M} UTC)" if taken is not None else ""
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="copies_stopped",
                        reason=(reason.strip()[:300 - len(when)] + when)))
        _log.info("a clerk stopped %d copies taken by one wallet", stopped,
                  extra={"service": "issuer", "event": "copies_stopped", "entity": inst.entity.id})
        return self.get_case(inst, case_id)

    @staticmethod
    def may_record(inst: Institution, actor: str) -> None:
        """Four-eyes needs to know who recorded a case: where the institution asks for approval, a case
        is recorded by a named clerk (403 ``access_denied`` for the institution's shared token, which
        anyone may hold, the approving clerk too)."""
        if inst.approval_required and not _named_clerk(actor):
            raise FourEyes("record_unnamed", "this institution approves each case by a second clerk: record it with "
                           "your own, named clerk token, not the institution's shared one")

    def approve_case(self, inst: Institution, case_id: str, *, actor: str) -> dict[str, Any]:
        """A second clerk approves a case awaiting approval (four-eyes): from then on its credentials
        are signed, for a wallet that asks and for one that was deferred (OpenID4VCI §9). A
        replacement's approval withdraws the document it replaces, in the same transaction.

        Only a named clerk (``clerk:<institution>/<name>``) other than the one who recorded the case
        may approve it: 403 ``access_denied`` otherwise, each with its reason (``approve_unnamed``:
        two clerks sharing one institution token cannot be told apart, so its holder may be the one
        who recorded the case; ``approve_own``). A suspended replacement is not approved (409: reinstate it
        first): its approval would withdraw the document it replaces and leave the worker with none that is
        valid; refusing it stays possible. A suspended new document may be approved (its wallet waits for
        its reinstatement, the deferred endpoint answering 202).
        """
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            self._awaiting(case)
            if not _named_clerk(actor):  # whoever holds the shared token may be the clerk who recorded it
                raise FourEyes("approve_unnamed", "the institution's shared token approves no case: whoever holds "
                               "it may be the clerk who recorded it, and a case is approved by a second, named "
                               "clerk; sign in with your own clerk token")
            if actor[:60] == case.created_by:
                raise FourEyes("approve_own", "a case is approved by a second, named clerk, not by the one who "
                               "recorded it")
            if not _named_clerk(case.created_by):  # whoever holds the shared token may have recorded it
                raise FourEyes("approve_shared_case", "this case was recorded with the institution's shared token, "
                               "so no one can tell who recorded it: refuse it, and record it again with a named "
                               "clerk token")
            if case.state == "suspended" and case.replaces is not None:
                # Approving would withdraw the document it replaces and leave the worker only a
                # suspended one. A new document may be approved while suspended: the wallet waits for
                # its reinstatement (the deferred endpoint answers 202 meanwhile).
                raise refusal("case.not_active", state="suspended")
            unlisted = self.type_refused(inst, case.configuration_id)
            if unlisted is not None:  # approved, it would be signed for the deferred wallet at once
                raise _told(inst, unlisted)
            case.approval = "approved"
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="approved", reason=""))
            if case.replaces is not None:
                # A replacement: the document it replaces is withdrawn now, in this transaction (unless
                # a clerk withdrew it meanwhile), as a replacement is where no approval is asked.
                old = s.get(Case, case.replaces, with_for_update={"key_share": True})
                if old is not None and old.entity_id == inst.entity.id and old.state not in FINAL_STATES:
                    self._withdraw_replaced(s, old, case, case.replace_reason or "replaced", actor=actor, now=now)
            case.replace_reason = None
        return self.get_case(inst, case_id)

    def refuse_case(self, inst: Institution, case_id: str, *, actor: str, reason: str) -> dict[str, Any]:
        """A clerk refuses a case awaiting approval: it is withdrawn (final, as any withdrawal) with
        ``reason``, so nothing is ever signed for it and a deferred wallet is told
        ``credential_request_denied``. The clerk who recorded it may refuse it too (a mistake seen).
        A refused replacement leaves the document it was to replace as it is (:meth:`replace_case`).
        The case ends at its refusal: its personal data is erased the retention period after it
        (GDPR Art. 5(1)(e); :meth:`_end_if_never_a_document`)."""
        if not reason.strip():
            raise invalid("reason", "reason.required")
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            self._awaiting(case)
            case.approval = "refused"
            case.replace_reason = None  # a replacement refused: the document it was to replace stays as it is
            self._set_status(s, case, "revoked")
            self._end_if_never_a_document(s, case, now)
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="refused", reason=reason[:300]))
        return self.get_case(inst, case_id)

    @staticmethod
    def _end_if_never_a_document(s: Session, case: Case, now: datetime) -> None:
        """Storage limitation (GDPR Art. 5(1)(e)): a case just refused by the second clerk, or just
        withdrawn (or replaced) before anything was issued, offered or printed from it, never was a
        document: it ends now (``ends_at``), so that :meth:`erase_ended` counts the retention period
        from its refusal or withdrawal, not from the end of the period (years, for an EHIC) the
        document would have covered. The clerks keep the whole period all the same: it runs from the
        case's last use too, and its refusal or withdrawal is never earlier.

        A refused case had nothing signed (it awaited approval; an offer of it only ever deferred a
        wallet). A withdrawn one that was offered, printed (a paper copy has a credential record) or
        issued keeps its document's end: something of it left the institution, and its status list
        entries show the withdrawal until its credentials expire. The caller holds the case's row lock,
        so no credential is recorded for it meanwhile."""
        if case.approval != "refused":
            issued = s.scalar(select(CredentialRecord.id).where(CredentialRecord.case_id == case.id).limit(1))
            handed = s.scalar(select(Event.id).where(Event.case_id == case.id,
                                                     Event.action.in_(_HANDED_OVER)).limit(1))
            if issued is not None or handed is not None:
                return
        # Never later than it was: a document that had already ended keeps that end.
        if case.ends_at is None or utc(case.ends_at) > now:
            case.ends_at = now

    @staticmethod
    def _end_grants(s: Session, case_ids: Sequence[str]) -> None:
        """The refresh tokens of withdrawn or erased cases deleted (RFC 6749 §6, RFC 7009 §2.2 in
        spirit): nothing is renewed or fetched from such a case, and a wallet presenting one is told
        ``invalid_grant`` (unknown refresh token), so that it drops it and asks for a new offer. The
        access tokens end by themselves within minutes; the endpoints refuse such a case meanwhile."""
        s.execute(delete(RefreshToken).where(RefreshToken.case_id.in_(list(case_ids))))

    @staticmethod
    def _awaiting(case: Case) -> None:
        if case.approval != "awaiting" or case.state in FINAL_STATES or case.erased_at is not None:
            raise refusal("case.not_awaiting")

    @staticmethod
    def _set_status(s: Session, case: Case, state: str) -> None:
        """The case's state, and the status of each of its credentials, seen in the next tokens; a
        withdrawal (a clerk's, a refusal at approval) or a replacement ends its grants too
        (:meth:`_end_grants`)."""
        case.state = state
        if state in FINAL_STATES:
            IssuerService._end_grants(s, [case.id])
        value = STATE_FOR_STATUS[state]
        list_ids = set(s.scalars(select(CredentialRecord.list_id).where(CredentialRecord.case_id == case.id)))
        # Copies a newer generation replaced (_supersede) stay invalid, and copies a clerk stopped
        # (stop_copies) stopped, whatever the case's state; but a withdrawn or replaced document says so
        # on its stopped copies too (STOPPED may turn INVALID or REPLACED, status_list.may_follow).
        s.execute(update(CredentialRecord).where(CredentialRecord.case_id == case.id,
                                                 CredentialRecord.superseded.is_(False)).values(status=value))
        if state in FINAL_STATES:
            s.execute(update(CredentialRecord).where(CredentialRecord.case_id == case.id,
                                                     CredentialRecord.status == status_list.STOPPED)
                      .values(status=value))
        if list_ids:
            s.execute(update(StatusListRecord).where(StatusListRecord.id.in_(list_ids))
                      .values(version=StatusListRecord.version + 1))

    # --- OpenID4VCI ----------------------------------------------------------------------------------

    def offer_json(self, inst: Institution, offer_id: str) -> dict[str, Any]:
        """§4.1.3: the offer behind ``credential_offer_uri`` (only while open and not expired)."""
        now = self._now()
        with self.sessions() as s:
            offer = s.get(Offer, offer_id)
            if offer is None or offer.state != "open" or utc(offer.expires_at) < now:
                raise ProtocolError("not_found", "this credential offer is unknown, used or expired", http_status=404)
            case = s.get(Case, offer.case_id)
            if case is None or case.entity_id != inst.entity.id:
                raise ProtocolError("not_found", "this credential offer is unknown", http_status=404)
            code = self._offer_code(offer, ProtocolError("not_found", _VOID_OFFER, http_status=404))
            if code is None:
                raise ProtocolError("not_found", "this credential offer was used", http_status=404)
            if case.state != "active" or case.erased_at is not None:
                # Said before the worker types the code, not after (the token would refuse it anyway).
                raise ProtocolError("not_found", "this credential offer is no longer valid: the document was "
                                    "withdrawn or suspended; ask your institution", http_status=404)
            # No ``description`` (OPTIONAL, §4.1.1): one English sentence for every institution would reach
            # a Polish worker as it is; the wallet says what to type from length and input_mode, in its
            # page's language (review R10, 4).
            tx = openid4vci.TxCode(length=6)
            return openid4vci.credential_offer(inst.issuer_url, self._offered(case), code, tx,
                                               issuer_state=self.issuer_state(offer))

    @staticmethod
    def _offered(case: Case) -> list[str]:
        """What an offer for a case lists, and what its access token may obtain, once each: the
        document as SD-JWT VC and as ISO mdoc. Not the mdoc of an EHIC for a represented person:
        every mdoc element can be withheld, so the card could be shown without the person it
        insures, as the holder's own; in the SD-JWT VC ``subject`` is always disclosed."""
        if case.configuration_id == ehic.CONFIGURATION_ID and case.claims.get("subject"):
            return [case.configuration_id]
        return [case.configuration_id, case.configuration_id + MDOC_SUFFIX]

    def token(self, inst: Institution, form: Mapping[str, str], dpop_proof: str | None = None, *,
              attestation: str | None = None, attestation_pop: str | None = None) -> dict[str, Any]:
        """§6: exchange the pre-authorized code (+ tx_code; single use, 5 tries) or an authorization
        code (+ PKCE verifier) for an access token.

        With a ``DPoP`` proof (RFC 9449 §5) the token is bound to its key and typed ``DPoP``. The
        wallet authenticates with its attestation and PoP headers when the policy asks for them. A
        refresh token comes with it as :meth:`_grant_end` says (every DPoP-bound token: copy renewal);
        ``grant_type=refresh_token`` is :meth:`_refreshed`.
        """
        req = openid4vci.parse_token_request(form)
        now = self._now()
        client = self.attestations.client(inst.issuer_url, attestation, attestation_pop, now)
        if client is not None and req.client_id is not None and req.client_id != client.client_id:
            # attestation-based-client-auth-10 (validating a token request): a client_id given MUST be the Client
            # Attestation's sub, as at the PAR endpoint (:meth:`push_authorization`).
            raise ProtocolError("invalid_client", "client_id is not the attested wallet's", http_status=401)
        proof = dpop.verify_proof(dpop_proof, method="POST", url=f"{inst.issuer_url}/token", now=now) \
            if dpop_proof is not None else None
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            if proof is not None:
                self.nonces.check_dpop_nonce(s, proof, now, http_status=400)
            if client is not None:
                self.nonces.first_use_pop(s, client, now)
            if proof is not None:
                self.nonces.first_use(s, f"{proof.jkt}:{proof.jti}", now, "invalid_dpop_proof",
                                "this DPoP proof was already used")
            if req.grant_type == openid4vci.REFRESH_GRANT:
                return self._refreshed(s, inst, req, proof, client, now)
            authorized: Authorization | None = None
            if req.grant_type == openid4vci.AUTH_CODE_GRANT:
                case, authorized = self._redeem_authorization_code(s, inst, req, client, now)
            else:
                case = self._redeem_pre_authorized_code(s, inst, req, now)
            refused = None if case.approval == "awaiting" else _signer_expired(inst, now, self.signer) or \
                self.type_refused(inst, case.configuration_id, error="temporarily_unavailable", http_status=503)
            if refused is not None:
                # Nothing could be signed for this token: refused before the single-use grant is spent
                # (the transaction rolls back), so the same code works once the certificate is renewed.
                # A case awaiting approval gets its token: the deferred endpoint waits for both.
                raise _told(inst, refused)
            # §5.1: the token covers what the worker authorized; a pre-authorized code, what the offer lists.
            allowed = authorized.configurations if authorized is not None and authorized.configurations else None
            by_details = authorized is not None and authorized.by_details and allowed is not None
            if req.configuration_ids is not None:
                # §6.1 authorization_details in the token request (either grant): a token for those,
                # within what was authorized or offered (a subset, RFC 9396 §6.1), answered with
                # their credential_identifiers (§6.2, REQUIRED then).
                within = allowed or self._offered(case)
                if not set(req.configuration_ids) <= set(within):
                    raise ProtocolError("invalid_authorization_details",
                                        "authorization_details name a credential this grant does not cover")
                allowed, by_details = list(dict.fromkeys(req.configuration_ids)), True
            token = secrets.token_urlsafe(32)
            # FAPI 2.0 §5.3.2.1: a token that is not sender-constrained must live under 10 minutes.
            ttl = self.token_ttl if proof is not None else min(self.token_ttl, _BEARER_TTL_MAX)
            grant_id = secrets.token_hex(16)
            s.add(Token(token_hash=stored_hash(token), case_id=case.id, jkt=proof.jkt if proof is not None else None,
                        expires_at=now + timedelta(seconds=ttl), allowed=allowed, identifiers=by_details,
                        grant_id=grant_id, provider_id=client.provider_id if client is not None else None))
            refresh_token = None
            grant_end = self._grant_end(case, proof, now)
            if grant_end is not None:
                # Approval may come hours after the worker took the offer, long after this token ends,
                # and the deferred endpoint (§9) needs a live one; and a DPoP-bound wallet renews its
                # copies with it before they end (HAIP 1.0 §4), without a new offer. A Bearer token
                # of a document needing no approval gets none (_grant_end says why).
                refresh_token = self._new_refresh_token(
                    s, grant_id=grant_id, case_id=case.id, access_token=token,
                    jkt=proof.jkt if proof is not None else None,
                    client_id=client.client_id if client is not None else None, expires_at=grant_end, now=now)
            # The case history says which wallet solution took the offer (never which device).
            s.add(Event(case_id=case.id, at=now, action="wallet_authorised",
                        actor=f"wallet:{client.client_id}"[:60] if client is not None else "wallet (anonymous)",
                        reason=f"attested by {client.provider_name} ({client.provider_id})"[:300]
                        if client is not None else ""))
        response: dict[str, Any] = {"access_token": token, "token_type": "DPoP" if proof is not None else "Bearer",
                                    "expires_in": ttl}
        if by_details and allowed is not None:
            # §6.2: REQUIRED when authorization_details were requested. One dataset per configuration
            # of the case, so its identifier is the configuration id (§8.2 credential_identifier).
            response["authorization_details"] = [{"type": "openid_credential", "credential_configuration_id": cid,
                                                  "credential_identifiers": [cid]} for cid in allowed]
        if refresh_token is not None:
            response["refresh_token"] = refresh_token  # §6.2, RFC 6749 §5.1
        return response

    def _grant_end(self, case: Case, proof: dpop.DpopProof | None, now: datetime) -> datetime | None:
        """When the refresh token given at the token endpoint ends (its grant's end, not moved by
        rotation), or None for no refresh token.

        * A DPoP-bound token (RFC 9449 §5): the document's end, at most :data:`_RENEWAL_MAX` ahead
          (HAIP 1.0 §4 "refresh tokens RECOMMENDED for credential refresh"): the wallet renews its
          copies with it, which end with the institution's signer certificate before the document
          (:func:`credential_end`), and the grant is bound to the wallet's DPoP key, so a copy of
          the refresh token alone renews nothing. While the case awaits approval, at least
          ``deferred_ttl`` (the deferred endpoint needs a live token until it is approved).
        * A Bearer token (an anonymous wallet's, or one that does not do DPoP): ``deferred_ttl`` for a
          case awaiting approval, else none. FAPI 2.0 §5.3.2.1 asks tokens to be sender-constrained;
          a long-lived Bearer credential would be one more thing to steal, and such a wallet asks
          the institution for a new offer when its copies end.
        """
        awaiting = case.approval == "awaiting"
        deferred = now + timedelta(seconds=self.deferred_ttl) if awaiting else None
        if proof is None:
            return deferred
        ends = utc(case.ends_at) if case.ends_at is not None else document_end(case.claims, now)
        renewal = min(ends, now + _RENEWAL_MAX)
        if renewal <= now:
            return deferred
        return max(renewal, deferred) if deferred is not None else renewal

    def _open_offer(self, s: Session, inst: Institution, offer: Offer | None, now: datetime,
                    what: str = "pre-authorized code") -> Case:
        """The case of an offer that can still be taken (invalid_grant naming why not)."""
        case = s.get(Case, offer.case_id) if offer is not None else None
        if offer is None or case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("invalid_grant", f"unknown {what}")
        if offer.state == "used":
            raise ProtocolError("invalid_grant", f"this {what} was already used")
        if offer.state == "replaced":
            raise ProtocolError("invalid_grant", "the institution made a newer offer for this document: use that one")
        if offer.state == "locked":
            raise ProtocolError("invalid_grant", "too many wrong transaction codes: ask for a new offer")
        if utc(offer.expires_at) < now:
            raise ProtocolError("invalid_grant", f"the {what} has expired")
        if case.state != "active" or case.erased_at is not None:
            raise ProtocolError("invalid_grant", "the document was withdrawn or suspended, or has ended")
        return case

    def _check_tx_code(self, s: Session, offer: Offer, tx_code: str) -> None:
        """The one-time code the clerk handed over; every wrong try counts (committed), the fifth locks.
        Its MAC is keyed by the offer key and bound to the code (:class:`OfferSecrets`), or, for an
        offer made before migration 0016, keyed by the code kept in its row."""
        code = self._offer_code(offer, ProtocolError("invalid_grant", _VOID_OFFER))  # before any try counts
        assert code is not None and offer.tx_code_hash is not None
        expected = _legacy_tx_hash(code, tx_code) if offer.scheme is None else self.offer_secrets.tx_mac(code, tx_code)
        if hmac.compare_digest(expected, offer.tx_code_hash):
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
        offer = s.scalars(select(Offer).where(Offer.code_hash == stored_hash(req.code)).with_for_update()).first()
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
                                   client: client_attestation.AttestedClient | None,
                                   now: datetime) -> tuple[Case, Authorization]:
        """RFC 6749 §4.1.3 + RFC 7636 §4.6: a code we issued, once, to the same client and
        redirect_uri, with the verifier of the pushed challenge."""
        row = s.scalars(select(Authorization).where(Authorization.code_hash == stored_hash(req.code))
                        .with_for_update()).first()
        offer = s.get(Offer, row.offer_id) if row is not None else None
        case = s.get(Case, offer.case_id) if offer is not None else None
        if row is None or case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("invalid_grant", "unknown authorization code")
        if row.stage != "authorized" or utc(row.expires_at) < now:
            raise ProtocolError("invalid_grant", "this authorization code was used or has expired")
        if req.redirect_uri != row.redirect_uri:
            raise ProtocolError("invalid_grant", "redirect_uri differs from the authorization request's")
        if client is not None and client.client_id != row.client_id:
            raise ProtocolError("invalid_grant", "this code was issued to another client")
        if client is None and req.client_id != row.client_id:
            # RFC 6749 §4.1.3: a client that does not authenticate names itself, and must be the one
            # the code was issued to.
            raise ProtocolError("invalid_grant" if req.client_id else "invalid_request",
                                "this code was issued to another client" if req.client_id else "client_id is missing")
        row.stage = "used"  # even if the verifier is wrong below: a code is tried once
        s.flush()
        try:
            authorization_code.verify_pkce(req.code_verifier, row.code_challenge)
        except ProtocolError:
            s.commit()
            raise
        if case.state != "active" or case.erased_at is not None:
            raise ProtocolError("invalid_grant", "the document was withdrawn or suspended, or has ended")
        return case, row

    # --- the authorization code flow: pushed request, the worker's page ------------------------------------

    def issuer_state(self, offer: Offer) -> str | None:
        """§5.1.3 ``issuer_state`` of an open offer (None once it ended): its id and a MAC, so it names
        the offer without revealing or replacing its pre-authorized code. Keyed by the offer key
        (:class:`OfferSecrets`: a copy of the database cannot make it), or, for an offer made before
        migration 0016, by the code kept in its row."""
        if offer.scheme is not None:
            return self.offer_secrets.issuer_state(offer.id) if offer.state == "open" else None
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
        client = self.attestations.client(inst.issuer_url, attestation, attestation_pop, now)
        if client is not None and client.client_id != req.client_id:
            raise ProtocolError("invalid_client", "client_id is not the attested wallet's", http_status=401)
        offer_id, _, _mac = req.issuer_state.partition(".")
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            if client is not None:
                self.nonces.first_use_pop(s, client, now)
            offer = s.get(Offer, offer_id, with_for_update=True)
            if offer is None or not hmac.compare_digest((self.issuer_state(offer) or "").encode(),
                                                         req.issuer_state.encode()):
                raise ProtocolError("invalid_request", "issuer_state does not name an open credential offer")
            try:
                case = self._open_offer(s, inst, offer, now, "credential offer")
            except ProtocolError as exc:  # an authorization request error (RFC 9126 §2.3), not a grant's
                raise ProtocolError("invalid_request", exc.message) from exc
            if not set(req.configuration_ids) <= set(self._offered(case)):
                raise ProtocolError("invalid_authorization_details", "the offer is for another credential")
            handle = secrets.token_urlsafe(32)
            s.add(Authorization(id=handle, offer_id=offer.id, client_id=req.client_id, redirect_uri=req.redirect_uri,
                                code_challenge=req.code_challenge, state=req.state, stage="pushed",
                                expires_at=now + timedelta(seconds=_PAR_TTL),
                                configurations=list(dict.fromkeys(req.configuration_ids)),
                                by_details=req.by_details))
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
            if row.stage != "pushed" or utc(row.expires_at) < now:
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
            refused = None if case.approval == "awaiting" else _signer_expired(inst, now, self.signer) or \
                self.type_refused(inst, case.configuration_id, error="temporarily_unavailable", http_status=503)
            if refused is not None:  # before the code is tried or the offer spent (token() says why)
                raise _told(inst, refused)
            if offer.tx_code_hash is not None:
                try:
                    self._check_tx_code(s, offer, tx_code.strip())
                except ProtocolError as exc:
                    if offer.state == "locked":
                        raise ProtocolError("access_denied", exc.message) from exc
                    raise
            code = secrets.token_urlsafe(32)
            offer.state, offer.code = "used", None
            row.stage, row.code_hash = "authorized", stored_hash(code)
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

    def _known_token(self, inst: Institution, authorization: str | None, dpop_proof: str | None, endpoint: str,
                     now: datetime) -> None:
        """RFC 6750 §3.1 before the request body is read: an access token this issuer did not give, or
        that has expired, is ``invalid_token`` (401) whatever the body, so an unauthenticated caller
        has neither its body judged nor its key attestations verified (which may fetch the wallet
        providers list). A DPoP-bound token's proof is judged here too, nonce included: RFC 9449 §9's
        ``use_dpop_nonce`` challenge comes before anything the body says. The proof is spent only in
        the transaction that uses it (:meth:`_authorised`), which checks all of this again."""
        with self.nonces.renewed_on_refusal(), self.sessions() as s:
            self._authorised(s, inst, authorization, dpop_proof, endpoint, now, spend=False)

    def _authorised(self, s: Session, inst: Institution, authorization: str | None, dpop_proof: str | None,
                    endpoint: str, now: datetime, *, spend: bool = True) -> Token:
        """The token row behind ``Authorization`` (RFC 6750 Bearer, or RFC 9449 §7 DPoP with its proof).

        ``spend=False`` judges without using: the proof's ``jti`` is not recorded, the row not locked
        nor marked presented (:meth:`_known_token`)."""
        scheme, token = _access_token(authorization)
        row = s.get(Token, stored_hash(token), with_for_update=spend)
        if row is None or utc(row.expires_at) < now:
            raise _invalid_token("the access token is invalid or expired", dpop=scheme == "DPoP")
        if row.jkt is None:
            if scheme != "Bearer":
                raise _invalid_token("this access token is not DPoP-bound", dpop=False)
            if spend:
                row.presented_at = row.presented_at or now
            return row
        if scheme != "DPoP":
            raise _invalid_token("this access token is DPoP-bound: use the DPoP scheme", dpop=True)
        try:
            proof = dpop.verify_proof(dpop_proof, method="POST", url=f"{inst.issuer_url}/{endpoint}", now=now,
                                      access_token=token)
            if proof.jkt != row.jkt:
                raise ProtocolError("invalid_dpop_proof", "the DPoP proof is signed by another key than the token's")
            self.nonces.check_dpop_nonce(s, proof, now, http_status=401)
            if spend:
                self.nonces.first_use(s, f"{proof.jkt}:{proof.jti}", now, "invalid_dpop_proof",
                                      "this DPoP proof was already used")
        except ProtocolError as exc:
            if exc.error != "invalid_dpop_proof":
                raise
            # RFC 9449 §7.1: a protected resource answers a bad proof with 401 and a DPoP challenge
            # (400 is the authorization server's answer at the token endpoint, §5).
            raise ProtocolError(exc.error, exc.message, http_status=401, headers={
                "WWW-Authenticate": 'DPoP error="invalid_dpop_proof", algs="ES256"'}) from exc
        # The answer that carried it arrived: the refresh token it rotated out is no longer retried (_lost_answer).
        if spend:
            row.presented_at = row.presented_at or now
        return row

    def credential(self, inst: Institution, authorization: str | None, body: Any,
                   dpop_proof: str | None = None) -> dict[str, Any]:
        """§8: verify the access token (and its DPoP proof) and every key proof, commit records and
        indexes, then sign."""
        now = self._now()
        # §8.3.1.1: a request without a valid access token is an authorization error (RFC 6750 §3.1),
        # whatever its body; nor is an unauthenticated caller's key attestation checked (below).
        self._known_token(inst, authorization, dpop_proof, "credential", now)
        req = openid4vci.parse_credential_request(body, batch_size=self.batch_size)
        # §8.2: a credential_identifier from the token response (ours are configuration ids), else a
        # credential_configuration_id; which one the token allows is checked with the token below.
        configuration_id = req.identifier if req.identifier is not None else req.configuration_id or ""
        requested, _as_mdoc = _format_of(configuration_id)
        if requested not in CREDENTIAL_TYPES:
            if req.identifier is not None:
                raise ProtocolError("unknown_credential_identifier", "unknown credential_identifier")
            raise ProtocolError("unknown_credential_configuration", "unknown credential_configuration_id")
        # Key attestations may need the providers list fetched: outside the transaction.
        attestation_proof = (self.attestations.proof(req.proofs[0], now, batch_size=self.batch_size)
                             if req.proof_type == "attestation" else None)
        attested = ([attestation_proof] if attestation_proof is not None
                    else self.attestations.of_proofs(req.proofs, now))
        presented: list[str] = []
        try:
            return self._credential(inst, authorization, req, configuration_id, dpop_proof, attestation_proof,
                                    attested, presented, now)
        except ProtocolError:
            if presented:
                self._presented(presented[0], now)
            raise

    def _credential(self, inst: Institution, authorization: str | None, req: openid4vci.CredentialRequest,
                    configuration_id: str, dpop_proof: str | None, attestation_proof: Any, attested: Sequence[Any],
                    presented: list[str], now: datetime) -> dict[str, Any]:
        """:meth:`credential` once the request is parsed; ``presented`` gets the access token's hash once
        it is found good (a refusal after that still tells that its answer arrived: :meth:`_presented`)."""
        requested, as_mdoc = _format_of(configuration_id)
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            row = self._authorised(s, inst, authorization, dpop_proof, "credential", now)
            presented.append(row.token_hash)
            bound = row.jkt is not None
            case = s.get(Case, row.case_id, with_for_update={"key_share": True})  # no state change meanwhile
            if case is None or case.entity_id != inst.entity.id:
                raise _invalid_token("the access token is not for this issuer", dpop=bound)
            if req.identifier is not None and not row.identifiers:
                raise ProtocolError("unknown_credential_identifier", "no credential identifiers were issued")
            if req.identifier is None and row.identifiers:
                raise ProtocolError("invalid_credential_request", "this token gave credential_identifiers: "
                                    "request by credential_identifier")
            offered = row.allowed or self._offered(case)
            if requested != case.configuration_id or configuration_id not in offered:
                if req.identifier is not None:
                    raise ProtocolError("unknown_credential_identifier", "this token has no such credential_identifier")
                raise ProtocolError("unknown_credential_configuration", "this token was not issued for that credential")
            # §8.3.1.2: a type the issuers list does not list the institution for is not one it issues (its
            # metadata no longer names it): the code a configuration not offered gets, said before any proof
            # is checked or record taken (a renewal too: the wallet keeps the copy it has).
            unlisted = self.type_refused(inst, requested, http_status=400, error="unknown_credential_identifier"
                                         if req.identifier is not None else "unknown_credential_configuration")
            if unlisted is not None:
                raise _told(inst, unlisted)
            issued = list(row.issued or [])
            # Given with this token already: its answer may have been lost on the way (a timeout, a
            # dropped connection, the issuer stopped after committing): the same keys, proven anew,
            # are given it again (:meth:`_delivered`), once the request is checked as any other.
            again = configuration_id in issued
            if row.used and not again:
                # One credential response per configuration and token (an offer's code gives the
                # document once in each form). §8.3.1.2: a refusal of the request, not invalid_token:
                # the token stays good for the other forms it covers and for the notification endpoint
                # (§11), and a wallet told its token is bad would throw it away and could get no other
                # with the single-use code.
                raise ProtocolError("credential_request_denied", _ALREADY_ISSUED)
            if case.state != "active" or case.erased_at is not None:
                raise ProtocolError("credential_request_denied", "the document was withdrawn or suspended, or has "
                                    "ended")
            nonce_ok = self.nonces.c_nonce_check(s, now, inst.issuer_url)
            used_nonces: set[str] = set()

            def nonce_valid(value: str) -> bool:
                ok = nonce_ok(value)
                if ok:
                    used_nonces.add(value)
                return ok

            for att in {a.nonce: a for a in attested if a is not None}.values():
                # App. F.1, F.3: the attestation names the c_nonce we gave, so it cannot be replayed.
                # §8.3.1.2: no nonce at all is invalid_proof (3), a spent or unknown one invalid_nonce.
                if not att.nonce:
                    raise ProtocolError("invalid_proof", "the key attestation has no nonce (a c_nonce from the "
                                        "nonce endpoint)")
                if not nonce_valid(att.nonce):
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
            for att in {a.provider_id: a for a in attested if a is not None and not again}.values():
                s.add(Event(case_id=case.id, at=now, action="keys_attested", actor=f"provider:{att.provider_id}"[:60],
                            reason=f"key storage {', '.join(att.key_storage) or '-'}; user authentication "
                                   f"{', '.join(att.user_authentication) or '-'} ({att.provider_name}; "
                                   f"{req.proof_type} proof)"[:300]))
            self.nonces.spend_c_nonces(s, inst.issuer_url, used_nonces)
            if not again:
                row.issued = [*issued, configuration_id]
                row.used = len(row.issued) >= len(offered)
            token_hash, spent = row.token_hash, configuration_id
            module = CREDENTIAL_TYPES[case.configuration_id]
            claims, configuration_id, holder = dict(case.claims), case.configuration_id, dict(case.holder or {})
            if module is pid:  # a case recorded before the PID carried its metadata gets them now
                claims = _pid_metadata(inst, claims, pid.provider_expiry(utc(case.created_at).date()))
            if document_expired(claims, now, inst.entity.country):
                raise ProtocolError("credential_request_denied", "the document has expired")
            if _unnamed(case.configuration_id, claims, holder):  # an offer made before the rule, a renewal
                raise _unnamed_refused(case.configuration_id)
            notification_id = _response_id(token_hash, spent)
            renewed_event: Event | None = None
            signed_at = now
            if again:
                deferral = self._deferred_again(s, token_hash, spent, thumbprints, now)
                if deferral is not None:  # the 202 lost on its way: the same transaction, nothing recorded
                    return deferral
                # Nothing recorded, nothing taken back should the signing fail: the response, as it was.
                records, signed_at, exp, signer = self._delivered(s, inst, claims, notification_id, thumbprints, now)
            elif case.approval == "awaiting":
                # Four-eyes: nothing is signed before a second clerk approves. Everything above was
                # checked and spent (nonces, the token's turn for this configuration); what the proofs
                # proved is kept for the deferred credential endpoint (§8.3, §9), and which wallet
                # providers vouched for it (the wallet's, the keys'), judged again before signing.
                vouched = [row.provider_id, *(a.provider_id for a in attested if a is not None)]
                return self._defer(s, case, row, spent, holder_keys, [p for p in dict.fromkeys(vouched) if p], now)
            else:
                # Raised here, the transaction is rolled back: no nonce, proof or turn of the token spent.
                signer, exp = self._expiry(inst, claims, now)
                grant_id = _grant_of(row)
                held = self._held_generation(s, grant_id, spent) if row.renews else None
                if held is not None:
                    not_due = self._renewal_refused(held, exp, now)
                    if not_due is not None:
                        raise not_due  # rolled back: nothing spent, the copies held stay as they are
                records = [self.status.allocate(s, inst, case, jkt, now, exp, notification_id) for jkt in thumbprints]
                s.execute(update(CredentialRecord).where(CredentialRecord.notification_id == notification_id)
                          .values(grant_id=grant_id, configuration_id=spent))
                if held is not None:
                    # At most two generations of a grant's form live: the one held and this one (the one
                    # before is invalidated now, the one held once this one is accepted, notification()).
                    self._supersede(s, grant_id, spent, keep={held[0], notification_id})
                if row.renews:
                    # Copy renewal under a refreshed grant (HAIP 1.0 §4): the clerk sees which wallet solution
                    # renewed the copies (the grant's attested client_id), never which device.
                    client_id = s.scalar(select(RefreshToken.client_id).where(RefreshToken.access_hash == token_hash)
                                         .limit(1))
                    count = len(records)
                    renewed_event = Event(case_id=case.id, at=now, action="renewed",
                                          actor=f"wallet:{client_id}"[:60] if client_id else "wallet (anonymous)",
                                          reason=f"{spent}: {count} new cop{'y' if count == 1 else 'ies'}, valid until "
                                                 f"{exp:%Y-%m-%d}"[:300])
                    s.add(renewed_event)
                    s.flush()
        # Committed: the records and indexes exist, now sign. A signature that cannot be made (the
        # HSM does not answer) takes back what was recorded, so the same token can ask again.
        try:
            credentials = self._sign_credentials(inst, configuration_id, as_mdoc, module, claims, holder,
                                                 holder_keys, records, signed_at, exp, signer)
        except BaseException:
            if not again:
                self._take_back(token_hash, spent, notification_id,
                                renewed_event.id if renewed_event is not None else None)
            raise
        return {"credentials": credentials, "notification_id": notification_id}

    def _delivered(self, s: Session, inst: Institution, claims: Mapping[str, Any], notification_id: str,
                   thumbprints: Sequence[str], now: datetime) -> tuple[list[tuple[int, int]], datetime, datetime,
                                                                       Signer]:
        """The credential response ``notification_id`` an access token gave for a form, to be given again
        (idempotent): its status entries (list number, index) in the order of ``thumbprints``, when it was
        issued, when it ends, and the signer to sign it with again. Else ``credential_request_denied``,
        as before (one credential response per form and token).

        For a wallet whose answer was lost on its way (the request timed out or the connection dropped
        after the issuer committed, the issuer stopped between commit and answer): the offer's code and
        token were spent, and without this the worker would need a new offer from the clerk.

        The credentials are signed again from what was recorded, not kept: the case's claims (never
        changed, a correction being a new case), the same status entries, holder keys, ``iat`` and
        ``exp``; new signatures and salts only. So the response holds nothing a copy of the database
        would not, and nothing more is stored to be erased: the records and the case are erased as
        before (:meth:`erase_ended`), and an erased, withdrawn or suspended case gives nothing (checked
        by the caller). Nothing is recorded either: no status entry, no event in the case's history.

        Why this is safe (OpenID4VCI 1.0 §7, §8.2, §8.3.1.2): the request is checked as any other (the
        access token within its lifetime, its DPoP proof with a new ``jti``, each key proof with a
        c_nonce not used before), so a request seen and replayed as it was is still ``invalid_nonce``:
        each c_nonce is accepted once, and no proof is accepted twice. Given again only to proofs of
        the very keys the credentials are bound to, all of them and no other, it goes only to whoever
        holds both the token and those private keys: the wallet that was given them, which gets nothing
        it was not given (no copy more, no later expiry, the same status entries to withdraw them by).
        Other keys would be a second set of credentials (a stolen Bearer token's, or more copies than
        the batch): refused as before. Once the wallet told the issuer of the response (§11), or a newer
        generation took its place, its answer arrived: refused. The token's end (``token_ttl``) ends it.
        """
        rows = s.execute(select(CredentialRecord, StatusListRecord.number)
                         .join(StatusListRecord, StatusListRecord.id == CredentialRecord.list_id)
                         .where(CredentialRecord.notification_id == notification_id)).all()
        by_key = {record.holder_jkt: (number, record) for record, number in rows}
        if (not rows or len(by_key) != len(rows) or set(by_key) != set(thumbprints)
                or any(r.superseded or r.notification_event is not None for r, _number in rows)):
            # None recorded (nor a deferral pending for them, :meth:`_deferred_again`), or not to these keys.
            raise ProtocolError("credential_request_denied", _ALREADY_ISSUED)
        issued_at, exp = utc(rows[0][0].issued_at), utc(rows[0][0].expires_at)
        signer = self.signer(inst, now)
        if signer is None:
            raise _told(inst, _unsigned(inst, now))
        if credential_end(claims, signer.chain, issued_at) < exp:  # a new signer since, whose chain ends sooner
            raise ProtocolError("credential_request_denied", _ALREADY_ISSUED)
        return [(by_key[t][0], by_key[t][1].idx) for t in thumbprints], issued_at, exp, signer

    def _presented(self, token_hash: str, now: datetime) -> None:
        """The access token was presented, with a request refused (rolled back) after it was found
        good: its answer arrived all the same (:meth:`_lost_answer`)."""
        try:
            with self.sessions.begin() as s:
                s.execute(update(Token).where(Token.token_hash == token_hash, Token.presented_at.is_(None))
                          .values(presented_at=now))
        except SQLAlchemyError:
            _log.exception("could not record that an access token was presented")

    @staticmethod
    def _held_generation(s: Session, grant_id: str, form: str) -> tuple[str, datetime, datetime] | None:
        """The copies of ``form`` the grant last delivered and the wallet did not refuse (its latest
        response not told ``credential_failure`` or ``credential_deleted``, §11): (notification id,
        when issued, when they end); None when the grant holds none the issuer can tell (copies
        issued before migration 0019, or none yet)."""
        latest = s.execute(select(CredentialRecord.notification_id, CredentialRecord.issued_at,
                                  CredentialRecord.expires_at)
                           .where(CredentialRecord.grant_id == grant_id, CredentialRecord.configuration_id == form,
                                  CredentialRecord.superseded.is_(False),
                                  or_(CredentialRecord.notification_event.is_(None),
                                      CredentialRecord.notification_event.not_in(_REFUSED_EVENTS)))
                           .order_by(CredentialRecord.issued_at.desc()).limit(1)).first()
        return None if latest is None else (latest[0], utc(latest[1]), utc(latest[2]))

    @staticmethod
    def _renewal_refused(held: tuple[str, datetime, datetime], exp: datetime, now: datetime) -> ProtocolError | None:
        """Bounded renewal (OWASP API4:2023; draft-ietf-oauth-status-list §13: entries are finite): new
        copies of a form under a refreshed grant only when those ``held`` are due (ending within
        :data:`RENEWAL_NOTICE`, or ended), when the copies signed now (``exp``) would end later (a new
        signer), or :data:`RENEWAL_PACE` after the held ones were issued (the wallet may have shown them
        all, which the issuer cannot see); else ``credential_request_denied`` saying when, in words and
        in its ``renewal_from`` member (:class:`RenewalNotDue`)."""
        _nid, issued, ends = held
        if ends - now <= RENEWAL_NOTICE or exp > ends + timedelta(days=1) or now - issued >= RENEWAL_PACE:
            return None
        again = min(ends - RENEWAL_NOTICE, issued + RENEWAL_PACE)
        return RenewalNotDue(f"the copies held are not due for renewal: they end on {ends:%Y-%m-%d}; they are "
                             f"renewed from {again:%Y-%m-%d %H:%M} UTC, within {RENEWAL_NOTICE.days} days of their "
                             "end, or once the institution signs under a new certificate", again)

    @staticmethod
    def _supersede(s: Session, grant_id: str, form: str, *, keep: set[str] | None = None,
                   before: datetime | None = None) -> None:
        """The grant's earlier copies of ``form`` set invalid in the status lists (but for the responses
        ``keep``, and only those issued ``before``): a newer generation took their place. ``superseded``
        keeps them invalid when the case is reinstated (:meth:`_set_status`)."""
        which = [CredentialRecord.grant_id == grant_id, CredentialRecord.configuration_id == form,
                 CredentialRecord.superseded.is_(False)]
        if keep:
            which.append(CredentialRecord.notification_id.not_in(sorted(keep)))
        if before is not None:
            which.append(CredentialRecord.issued_at < before)
        list_ids = set(s.scalars(select(CredentialRecord.list_id).where(*which)))
        if not list_ids:
            return
        s.execute(update(CredentialRecord).where(*which).values(status=status_list.INVALID, superseded=True))
        s.execute(update(StatusListRecord).where(StatusListRecord.id.in_(list_ids))
                  .values(version=StatusListRecord.version + 1))

    def _expiry(self, inst: Institution, claims: Mapping[str, Any], now: datetime) -> tuple[Signer, datetime]:
        """The signer that signs a copy now (:meth:`signer`) and the copy's technical expiry with it
        (:func:`credential_end` of that chain), with which its status list entry is recorded too; 503
        ``temporarily_unavailable`` while none of the institution's signers can sign (each chain ended
        or ending within :data:`SIGNER_MARGIN`), told to the operator (:func:`_told`): the one choice
        and expiry of the credential endpoint, the deferred credential endpoint and the paper copy,
        chosen once and passed to the signing, so that the copy's ``exp`` is its own chain's."""
        signer = self.signer(inst, now)
        if signer is None:
            raise _told(inst, _unsigned(inst, now))
        return signer, credential_end(claims, signer.chain, now)

    def _sign_credentials(self, inst: Institution, configuration_id: str, as_mdoc: bool, module: Any,
                          claims: Mapping[str, Any], holder: Mapping[str, Any], holder_keys: Sequence[Any],
                          records: Sequence[tuple[int, int]], now: datetime, exp: datetime,
                          signer: Signer) -> list[dict[str, Any]]:
        """One credential per recorded key, SD-JWT VC (with its offline compact form) or ISO mdoc, each
        signed by ``signer`` (:meth:`_expiry` chose it, and ``exp`` with it)."""
        iat = int(now.timestamp())
        credentials = []
        if module is pid:  # a case recorded with a PNG portrait: both forms carry the one JPEG
            claims = pid.with_jpeg_picture(claims)
        if module is ehic:  # Decision S2 fields 3-5, the card's own, from the case's holder (both forms)
            claims = ehic.with_holder(claims, holder)
        elif module is pda1:  # section 1's names and date of birth, from the case's holder (both forms)
            claims = pda1.with_holder(claims, holder)
        # A PID's mdoc elements are the PID Rulebook's (§3.1.1), not its SD-JWT VC claim names: once per request.
        elements = pid.to_mdoc(claims) if as_mdoc and module is pid else claims
        if as_mdoc and module is pda1 and not claims.get("date_of_expiry") and claims.get("ending_date"):
            # Every mdoc element can be withheld, so a verifier takes an A1 not showing its expiry as
            # undetermined (it cannot tell "none" from "withheld"): the mdoc states the document's end
            # (document_end: the end of its period) as its expiry, for the wallet to show. (validUntil,
            # ``exp``, is the copy's: credential_end, never past the signer certificate.)
            elements = {**claims, "date_of_expiry": claims["ending_date"]}
        for holder_jwk, (list_number, idx) in zip(holder_keys, records, strict=True):
            ref = status_list.StatusReference(idx=idx, uri=f"{inst.issuer_url}/status/{list_number}")
            if as_mdoc:  # App. A.2: base64url of the CBOR IssuerSigned; the proof key becomes the device key
                issuer_signed = mdoc.issue(doctype=mdoc.DOCTYPES[configuration_id], claims=elements,
                                           device_key=public_key_from_jwk(holder_jwk), issuer_key=signer.key,
                                           x5chain=list(signer.chain), signed=now, valid_until=exp, status=ref)
                credentials.append({"credential": b64url_encode(issuer_signed)})
                continue
            sd_jwt = sd_jwt_vc.issue_vc(
                vct=module.VCT, claims=claims, sd_paths=module.SD_PATHS, holder_jwk=holder_jwk,
                issuer_key=signer.key, x5c=list(signer.chain), iss=inst.issuer_url, iat=iat, nbf=iat,
                exp=int(exp.timestamp()), status=ref)
            entry: dict[str, Any] = {"credential": sd_jwt}
            compact = self._compact(signer, configuration_id, claims, holder, holder_jwk, iat, int(exp.timestamp()),
                                    ref)
            if compact is not None:
                entry["compact"] = compact
            credentials.append(entry)
        return credentials

    def _take_back(self, token_hash: str, configuration_id: str, notification_id: str,
                   event_id: int | None = None) -> None:
        """Undo a credential request whose credentials could not be signed: its records go (no
        credential names their indexes: none left this process), and its ``renewed`` event
        (``event_id``: nothing was renewed), and the token may ask again."""
        try:
            with self.sessions.begin() as s:
                self._drop_records(s, notification_id)
                if event_id is not None:
                    s.execute(delete(Event).where(Event.id == event_id))
                row = s.get(Token, token_hash, with_for_update=True)
                if row is not None:
                    row.issued = [c for c in (row.issued or []) if c != configuration_id]
                    row.used = False
        except SQLAlchemyError:
            # The records stay, unused: harmless for the status lists; the same keys asked again within
            # the token's lifetime are signed for then (_delivered), else the wallet needs a new offer.
            _log.exception("could not take back an unsigned credential request")

    @staticmethod
    def _drop_records(s: Session, notification_id: str) -> None:
        """The credential records of one unsigned response, and their status list entries, gone."""
        gone = list(s.scalars(select(CredentialRecord).where(CredentialRecord.notification_id == notification_id)))
        for record in gone:
            s.execute(update(StatusListRecord).where(StatusListRecord.id == record.list_id)
                      .values(used=StatusListRecord.used - 1))
            s.delete(record)

    def _compact(self, signer: Signer, configuration_id: str, claims: Mapping[str, Any],
                 holder: Mapping[str, Any], holder_jwk: Mapping[str, Any] | None, iat: int, exp: int,
                 ref: status_list.StatusReference) -> str | None:
        """The offline compact credential (issue #7), delivered beside the SD-JWT VC in the same
        credential response object as ``compact`` (unknown members are ignored by other wallets),
        signed by ``signer`` and naming it by its ``kid`` (the verifier finds it on the trust list)."""
        if configuration_id == pid.CONFIGURATION_ID:
            return None
        from credentials import compact

        module = CREDENTIAL_TYPES[configuration_id]
        raw = compact.issue_compact(vct=module.VCT, claims=claims, holder=holder, holder_jwk=holder_jwk,
                                    issuer_key=signer.key, kid=signer.kid, iat=iat, exp=exp, status=ref)
        return b64url_encode(raw)

    def paper(self, inst: Institution, case_id: str, *, actor: str, lang: str = "en") -> bytes:
        """A PDF with the case's compact credential as a QR code, not bound to any key (issue #7).

        The paper copy gets its own status list entry (recorded before it is signed, like any
        credential) so that revoking the case also withdraws the paper.

        Refused (nothing recorded, nothing printed) as :meth:`_paper_refused` says: 409 for a case
        without the holder's name and birth date, a withdrawn, suspended or erased case, one awaiting
        approval, and an EHIC card that has expired (an A1 or PRC whose period has ended is printed: it
        is the proof of that period); 400 for a PID; 503 while none of the institution's signers can
        sign. The QR code is signed by the signer current now (:meth:`_expiry`) and expires as
        :func:`credential_end` says, within that signer's chain.
        """
        from credentials import compact
        from credentials.jose import b64url_decode
        from issuer.paper import paper_text, render_pdf

        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id, lock=True)
            refused = self._paper_refused(inst, case, now)
            if refused is not None:
                raise _told(inst, refused)
            module = CREDENTIAL_TYPES[case.configuration_id]
            signer, exp = self._expiry(inst, case.claims, now)
            list_number, idx = self.status.allocate(s, inst, case, "paper", now, exp, secrets.token_urlsafe(16))
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="paper", reason=""))
            claims, holder = dict(case.claims), dict(case.holder or {})
        ref = status_list.StatusReference(idx=idx, uri=f"{inst.issuer_url}/status/{list_number}")
        raw = self._compact(signer, case.configuration_id, claims, holder, None, int(now.timestamp()),
                            int(exp.timestamp()), ref)
        assert raw is not None
        text = compact.paper_qr(b64url_decode(raw))
        title, lines = paper_text(module, claims, holder, inst.entity, lang)
        return render_pdf(title=title, lines=lines, qr_png=compact.qr_png(text),
                          footer=i18n.t("issuer.paper_footer", lang))

    def notification(self, inst: Institution, authorization: str | None, body: Any,
                     dpop_proof: str | None = None) -> None:
        """§11: record the wallet's event for the credentials of one response, under the access
        token that obtained them (and its DPoP proof when it is bound)."""
        now = self._now()
        # §11.3: a bad access token (or DPoP proof) is an authorization error first
        self._known_token(inst, authorization, dpop_proof, "notification", now)
        note = openid4vci.parse_notification(body)
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            token = self._authorised(s, inst, authorization, dpop_proof, "notification", now)
            rows = s.scalars(select(CredentialRecord)
                             .where(CredentialRecord.notification_id == note.notification_id)).all()
            if not rows or any(r.case_id != token.case_id for r in rows):
                raise ProtocolError("invalid_notification_id", "unknown notification_id")
            changed = any(row.notification_event != note.event for row in rows)
            for row in rows:
                row.notification_event = note.event
            first = rows[0]
            if note.event == "credential_accepted" and first.grant_id is not None and first.configuration_id:
                # The wallet holds the new copies: the grant's earlier ones of that form are set invalid.
                self._supersede(s, first.grant_id, first.configuration_id, keep={note.notification_id},
                                before=utc(first.issued_at))
            if note.event == "credential_failure" and changed:  # once: a wallet cannot fill the history
                # The clerk sees why the worker's phone did not keep the document (the wallet's own words).
                s.add(Event(case_id=token.case_id, at=now, actor="wallet", action="wallet_failure",
                            reason=note.description[:300]))

    # --- deferred issuance (OpenID4VCI §8.3, §9) and refresh tokens (RFC 6749 §6) -------------------------

    def _defer(self, s: Session, case: Case, token: Token, configuration_id: str,
               holder_keys: Sequence[Mapping[str, Any]], providers: Sequence[str], now: datetime) -> dict[str, Any]:
        """§8.3: record the checked request as a deferred transaction (only the hash of its id is kept)
        with the wallet providers that vouched for it, and answer 202 with the id and the polling
        ``interval``. The id is the token's and configuration's (:meth:`OfferSecrets.transaction_id`),
        so that the request made again after the 202 was lost is given it again (:meth:`_deferred_again`)."""
        transaction_id = self.offer_secrets.transaction_id(token.token_hash, configuration_id)
        s.add(DeferredTransaction(id_hash=stored_hash(transaction_id), case_id=case.id, grant_id=_grant_of(token),
                                  configuration_id=configuration_id, holder_keys=[dict(k) for k in holder_keys],
                                  providers=list(providers), created_at=now,
                                  expires_at=now + timedelta(seconds=self.deferred_ttl), state="pending"))
        count = len(holder_keys)
        s.add(Event(case_id=case.id, at=now, actor="wallet", action="deferred",
                    reason=f"{configuration_id}: {count} credential{'s' if count != 1 else ''}, signed once a second "
                           "clerk approves the case"))
        return openid4vci.deferred_response(transaction_id, self.deferred_interval)

    def _deferred_again(self, s: Session, token_hash: str, configuration_id: str, thumbprints: Sequence[str],
                        now: datetime) -> dict[str, Any] | None:
        """The 202 (§8.3) an access token was given for ``configuration_id``, given again (idempotent),
        when the request is made again with fresh proofs of the very keys it deferred, all of them and
        no other, while the transaction is pending; None when the token deferred nothing for it (the
        caller then looks for credentials it was given, :meth:`_delivered`).

        For a wallet whose 202 was lost on its way (a timeout, a dropped connection, the issuer stopped
        after committing): the offer's code and the token's turn for the form were spent, and without
        this the worker would need a new offer, and the clerks a new approval. The id is not stored
        (only its hash), but made again from the offer key (:meth:`OfferSecrets.transaction_id`);
        nothing is recorded: no second transaction, no event in the case's history. The deferred
        credential endpoint (§9) then answers the wallet as if the first 202 had arrived: pending, or
        the credentials once approved.

        Why this is safe, as for :meth:`_delivered`: the request was checked as any other (the access
        token within its lifetime and its DPoP proof with a new ``jti``, each key proof with a c_nonce not
        used before: a request replayed as it was is still ``invalid_nonce``), and the id goes only to
        whoever holds the token and the private keys the credentials will be bound to: the wallet that
        was given it. Other keys, or some of them, are ``credential_request_denied``, as when given at
        once; so is a transaction answered (the 202 arrived: it was polled), denied or expired.
        """
        transaction_id = self.offer_secrets.transaction_id(token_hash, configuration_id)
        tx = s.get(DeferredTransaction, stored_hash(transaction_id))
        if tx is None:
            return None
        keys = [jwk_thumbprint(k) for k in tx.holder_keys]
        if (tx.state != "pending" or utc(tx.expires_at) < now or len(keys) != len(thumbprints)
                or set(keys) != set(thumbprints)):
            raise ProtocolError("credential_request_denied", _ALREADY_ISSUED)
        return openid4vci.deferred_response(transaction_id, self.deferred_interval)

    def deferred_credential(self, inst: Institution, authorization: str | None, body: Any,
                            dpop_proof: str | None = None) -> dict[str, Any]:
        """§9: the credentials of a deferred transaction, once its case is approved.

        The access token (and its DPoP proof) is checked as at the credential endpoint and must be of
        the transaction's grant. Still awaiting approval: the §8.3 answer again (202). Approved and
        active: the credentials are signed now (status entries taken now, ``iat`` now) and the
        transaction is spent. A case refused, withdrawn, ended or erased: ``credential_request_denied``,
        so the wallet stops asking (a suspended one: 202, it may be reinstated). An id unknown, spent,
        expired or of another grant: ``invalid_transaction_id`` (§9.3).

        HAIP §9.2: before anything is taken or signed, each wallet provider that vouched for the
        request (the client attestation's, the key attestations') must still be an active wallet
        provider on the list as it is now (:meth:`_providers_list_for`). One that is not (suspended,
        withdrawn, gone) denies the transaction for good (``denied``, committed; every later ask is
        ``credential_request_denied``): a new offer and fresh attestations are the way back. No list
        to be had: 503 ``temporarily_unavailable``, the transaction left pending; so too while the
        institution's signer chain has ended (:meth:`_expiry`), the wallet asking again at its interval.

        Two requests at once for one transaction: a conditional update (``pending`` to ``issued``)
        lets one of them through, on PostgreSQL and SQLite alike; the other is told the id is spent.
        """
        now = self._now()
        # A bad access token (or DPoP proof) is an authorization error first (RFC 6750 §3.1)
        self._known_token(inst, authorization, dpop_proof, "deferred_credential", now)
        req = openid4vci.parse_deferred_request(body)
        id_hash = stored_hash(req.transaction_id)
        providers = self._providers_list_for(id_hash, now)  # may ask the registry: outside the transaction
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            token = self._authorised(s, inst, authorization, dpop_proof, "deferred_credential", now)
            case = s.get(Case, token.case_id, with_for_update={"key_share": True})  # no state change meanwhile
            if case is None or case.entity_id != inst.entity.id:
                raise _invalid_token("the access token is not for this issuer", dpop=token.jkt is not None)
            tx = s.get(DeferredTransaction, id_hash)
            if (tx is None or tx.state not in ("pending", "denied") or utc(tx.expires_at) < now
                    or tx.case_id != case.id or tx.grant_id != _grant_of(token)):
                raise ProtocolError("invalid_transaction_id", "unknown, used or expired transaction_id")
            if tx.state == "denied":  # told again, should the wallet have missed the first answer
                raise ProtocolError("credential_request_denied", _PROVIDER_UNTRUSTED)
            if case.approval == "refused" or case.state in FINAL_STATES or case.erased_at is not None:
                raise ProtocolError("credential_request_denied",
                                    "the document was refused, withdrawn or replaced, or has ended")
            if case.approval == "awaiting" or case.state == "suspended":
                # Suspended is not final (it may be reinstated): the wallet asks again later, as while
                # awaiting approval; credential_request_denied would make it give the document up (§9.3).
                return openid4vci.deferred_response(req.transaction_id, self.deferred_interval)
            if tx.providers and self.attestations.wallet_providers is not None:
                # (No providers list configured: the operator has turned attestations off since, so
                # no provider is judged now, as for a request none vouched for; never a 500.)
                if providers is None:
                    # Approved or reinstated since the list was left unasked (above): the wallet asks
                    # again at its interval, and the list is asked for then.
                    return openid4vci.deferred_response(req.transaction_id, self.deferred_interval)
                untrusted = _untrusted_provider(providers, tx.providers, now)
                if untrusted is not None:
                    denied = s.connection().execute(
                        update(DeferredTransaction)
                        .where(DeferredTransaction.id_hash == id_hash, DeferredTransaction.state == "pending")
                        .values(state="denied"))
                    if denied.rowcount != 1:  # another request took it meanwhile
                        raise ProtocolError("invalid_transaction_id", "unknown, used or expired transaction_id")
                    # The clerk sees why the worker's wallet got nothing, and that a new offer is the way back.
                    s.add(Event(case_id=case.id, at=now, actor=f"provider:{untrusted[0]}"[:60],
                                action="deferred_denied",
                                reason=f"{_PROVIDER_UNTRUSTED} ({untrusted[1]}); make a new offer"[:300]))
                    s.commit()  # final, whatever the provider's status later (a new offer is the way back)
                    _log.warning("deferred credential request of case %s denied: the wallet provider that "
                                 "vouched for it is no longer trusted (%s)", case.id, untrusted[1],
                                 extra={"service": "issuer", "event": "deferred_denied", "entity": untrusted[0]})
                    raise ProtocolError("credential_request_denied", _PROVIDER_UNTRUSTED)
            requested, as_mdoc = _format_of(tx.configuration_id)
            module = CREDENTIAL_TYPES[case.configuration_id]
            claims, holder = dict(case.claims), dict(case.holder or {})
            if module is pid:
                claims = _pid_metadata(inst, claims, pid.provider_expiry(utc(case.created_at).date()))
            if document_expired(claims, now, inst.entity.country):
                raise ProtocolError("credential_request_denied", "the document has expired")
            if _unnamed(case.configuration_id, claims, holder):  # an offer made before the rule, a renewal
                raise _unnamed_refused(case.configuration_id)
            unlisted = self.type_refused(inst, case.configuration_id, error="temporarily_unavailable", http_status=503)
            if unlisted is not None:  # approved before the list changed: it waits, pending, as for a signer
                raise _told(inst, unlisted)
            signer, exp = self._expiry(inst, claims, now)  # raised: rolled back, the transaction stays pending
            notification_id = secrets.token_urlsafe(16)
            taken = s.connection().execute(
                update(DeferredTransaction)
                .where(DeferredTransaction.id_hash == id_hash, DeferredTransaction.state == "pending")
                .values(state="issued", notification_id=notification_id))
            if taken.rowcount != 1:  # another request took it meanwhile
                raise ProtocolError("invalid_transaction_id", "unknown, used or expired transaction_id")
            holder_keys = [dict(k) for k in tx.holder_keys]
            records = [self.status.allocate(s, inst, case, jwk_thumbprint(k), now, exp, notification_id)
                       for k in holder_keys]
        # Committed: the records and indexes exist, and the transaction is taken; now sign. A signature
        # that cannot be made gives both back, so the wallet's next poll gets the credentials.
        try:
            credentials = self._sign_credentials(inst, requested, as_mdoc, module, claims, holder, holder_keys,
                                                 records, now, exp, signer)
        except BaseException:
            self._give_back_transaction(id_hash, notification_id)
            raise
        return {"credentials": credentials, "notification_id": notification_id}

    def _providers_list_for(self, id_hash: str, now: datetime) -> trust_list.TrustList | None:
        """The wallet providers list as it is now (HAIP §9.2), when the deferred transaction ``id_hash``
        records providers that vouched for it and its case looks ready to be signed for; else None.

        Read before the transaction, without a lock (the transaction decides): asking the registry
        may take a while, and a wallet polling while its case awaits approval is not told that the
        list cannot be had (503 ``temporarily_unavailable``, :meth:`Attestations.providers`), nor is
        a request that no provider vouched for (attestation policies off) judged by one.
        """
        with self.sessions() as s:
            tx = s.get(DeferredTransaction, id_hash)
            case = s.get(Case, tx.case_id) if tx is not None and tx.state == "pending" else None
            if (tx is None or not tx.providers or self.attestations.wallet_providers is None or case is None
                    or case.approval == "awaiting" or case.state != "active" or case.erased_at is not None):
                return None
        return self.attestations.providers(now)

    def _give_back_transaction(self, id_hash: str, notification_id: str) -> None:
        """Undo a deferred answer whose credentials could not be signed: records gone, still pending."""
        try:
            with self.sessions.begin() as s:
                self._drop_records(s, notification_id)
                s.execute(update(DeferredTransaction)
                          .where(DeferredTransaction.id_hash == id_hash,
                                 DeferredTransaction.notification_id == notification_id)
                          .values(state="pending", notification_id=None))
        except SQLAlchemyError:
            # The transaction stays spent: the wallet needs a new offer, as at the credential endpoint.
            _log.exception("could not take back an unsigned deferred credential response")

    @staticmethod
    def _new_refresh_token(s: Session, *, grant_id: str, case_id: str, access_token: str, jkt: str | None,
                           client_id: str | None, expires_at: datetime, now: datetime) -> str:
        """A refresh token of ``grant_id`` (32 random bytes; its hash kept), given with ``access_token``."""
        value = secrets.token_urlsafe(32)
        s.add(RefreshToken(token_hash=stored_hash(value), grant_id=grant_id, case_id=case_id,
                           access_hash=stored_hash(access_token), jkt=jkt, client_id=client_id,
                           expires_at=expires_at, state="active", issued_at=now))
        return value

    def _refreshed(self, s: Session, inst: Institution, req: openid4vci.TokenRequest, proof: dpop.DpopProof | None,
                   client: client_attestation.AttestedClient | None, now: datetime) -> dict[str, Any]:
        """RFC 6749 §6 with rotation (RFC 9700 §4.14.2): a new access token carrying what the last one
        of the grant carried (case, DPoP key, configurations, identifiers, what it spent), and a new
        refresh token; the old refresh token and the access token given with it end.

        * A refresh token already rotated out and presented again: two parties hold it, and which is
          the wallet cannot be told. The grant's live refresh token and access tokens are revoked
          (committed, logged ``refresh_token_reused``) and the answer is ``invalid_grant``; but for a
          DPoP-bound grant's retry, within :data:`RETRY_WINDOW`, of a refresh whose answer was lost
          and is still unused (:meth:`_lost_answer`). A refresh token retired by such a retry (the
          answer the wallet was taken never to have had) presented later is a reuse too. Two refreshes
          at once with one token are one after the other (the row is locked: ``FOR UPDATE`` on
          PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite): the second is a retry or a reuse, never a
          second live grant.
        * A grant whose live refresh token went unused for :data:`REFRESH_IDLE` (:meth:`_idle`) has
          ended (RFC 9700 §4.14.2): ``invalid_grant``.
        * A DPoP-bound grant (RFC 9449 §5): a proof by its key, else ``invalid_dpop_proof``; a
          refused attempt spends nothing, so a thief without the key cannot end the wallet's grant.
        * The client: the wallet the grant went to (its attested ``client_id``), else
          ``invalid_client`` (none sent where one was) or ``invalid_grant`` (another one).
        * Rotation does not move the grant's end (:meth:`_grant_end`).
        * Copy renewal (HAIP 1.0 §4): a DPoP-bound grant of a case not awaiting approval, with no
          deferred transaction pending, gives a token that may ask for each form once more
          (``renews``; the credential endpoint signs new copies with fresh proofs, status indexes
          and expiry, and records each response as a ``renewed`` event), as the first token did.
          Any other grant's token carries what the last one spent (a deferred wallet polls with it).
        * Only for a document: withdrawn, refused, erased or ended, ``invalid_grant`` (the refresh
          tokens of a withdrawn or erased case are deleted with it, :meth:`_end_grants`). A suspended
          one is refreshed (it may be reinstated, and a deferred wallet keeps polling); what it asks
          for is refused at the credential endpoint (``credential_request_denied``) meanwhile.
        """
        row = s.get(RefreshToken, stored_hash(req.code), with_for_update=True)
        case = s.get(Case, row.case_id) if row is not None else None
        if row is None or case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("invalid_grant", "unknown refresh token")
        # Who presents it first (the grant's DPoP key, its wallet): a reuse below revokes the grant,
        # which one without the key must not be able to do to the wallet.
        if row.jkt is not None:
            if proof is None:
                raise ProtocolError("invalid_dpop_proof", "this grant is bound to a DPoP key: send a DPoP proof by it")
            if proof.jkt != row.jkt:
                raise ProtocolError("invalid_dpop_proof", "the DPoP proof is signed by another key than the grant's")
        presented = client.client_id if client is not None else None
        if presented != row.client_id:
            if presented is None:
                raise ProtocolError("invalid_client", "this grant's wallet authenticates with its attestation",
                                    http_status=401)
            raise ProtocolError("invalid_grant", "this refresh token was issued to another client")
        retried = row
        if row.successor is not None:  # rotated out (used), or retired by the retry of a lost answer
            unseen = self._lost_answer(s, row, now) if row.state == "used" else None
            if unseen is None:
                self._revoke_grant(s, row.grant_id, now)
                s.commit()
                _log.warning("a rotated-out refresh token was presented again: its grant is revoked",
                             extra={"service": "issuer", "event": "refresh_token_reused"})
                raise ProtocolError("invalid_grant", "this refresh token was already used; the grant is revoked")
            row = unseen  # rotated from the answer the wallet never got, which is retired below
        if row.state == "ended":  # a clerk ended it (end_renewals): the wallet drops it, and says to ask
            raise ProtocolError("invalid_grant", "the institution ended the renewal of this document's copies in "
                                "this wallet: ask it for a new offer")
        if row.state != "active" or utc(row.expires_at) < now:
            raise ProtocolError("invalid_grant", "the refresh token is revoked or has expired")
        if self._idle(s, row, now):
            raise ProtocolError("invalid_grant", "the refresh token was not used for too long; ask the institution "
                                "for a new offer")
        ends = utc(case.ends_at) if case.ends_at is not None else document_end(case.claims, now)
        if case.state in FINAL_STATES or case.erased_at is not None or ends <= now:
            raise ProtocolError("invalid_grant", "the document was refused, withdrawn or replaced, or has ended")
        last = s.get(Token, row.access_hash, with_for_update=True)
        if last is None:
            raise ProtocolError("invalid_grant", "unknown refresh token")
        # One live access token per grant: the one replaced ends, so what it may still ask for
        # (its issued list) cannot be asked for twice.
        last.expires_at = min(utc(last.expires_at), now - timedelta(seconds=1))
        pending = s.scalar(select(DeferredTransaction.id_hash).where(
            DeferredTransaction.grant_id == row.grant_id, DeferredTransaction.state == "pending").limit(1))
        renewal = row.jkt is not None and case.approval != "awaiting" and pending is None
        token = secrets.token_urlsafe(32)
        ttl = self.token_ttl if row.jkt is not None else min(self.token_ttl, _BEARER_TTL_MAX)
        s.add(Token(token_hash=stored_hash(token), case_id=case.id, jkt=row.jkt, grant_id=row.grant_id,
                    expires_at=now + timedelta(seconds=ttl), used=False if renewal else last.used,
                    issued=[] if renewal else list(last.issued or []),
                    allowed=list(last.allowed) if last.allowed is not None else None, identifiers=last.identifiers,
                    provider_id=client.provider_id if client is not None else None,
                    renews=renewal and (bool(last.issued) or last.renews)))
        refresh_token = self._new_refresh_token(s, grant_id=row.grant_id, case_id=case.id, access_token=token,
                                                jkt=row.jkt, client_id=row.client_id, expires_at=utc(row.expires_at),
                                                now=now)
        row.used_at, row.successor = now, stored_hash(refresh_token)
        row.state = "revoked" if row is not retried else "used"  # retired: presented later, a reuse
        retried.successor = row.successor  # a second lost answer is retried with the same token
        response: dict[str, Any] = {"access_token": token, "token_type": "DPoP" if row.jkt is not None else "Bearer",
                                    "expires_in": ttl, "refresh_token": refresh_token}
        if last.identifiers and last.allowed is not None:
            response["authorization_details"] = [{"type": "openid_credential", "credential_configuration_id": cid,
                                                  "credential_identifiers": [cid]} for cid in last.allowed]
        return response

    @staticmethod
    def _lost_answer(s: Session, row: RefreshToken, now: datetime) -> RefreshToken | None:
        """When ``row``, rotated out, comes back as the retry of a refresh whose answer was lost, the
        refresh token that answer carried, to rotate from (and retire: the wallet never had it). A
        retry is (FAPI 2.0 SP §5.3.2.1): a DPoP-bound grant (its key proved by the caller), within
        :data:`RETRY_WINDOW` of the refresh, the answer's refresh token never used and its access token
        never presented (at the credential, deferred credential or notification endpoint): otherwise
        the answer evidently arrived, and whoever presents the old token again holds a copy of the
        grant (RFC 9700 §4.14.2, RFC 6749 §10.4: a reuse).

        A DPoP-bound token is sender-constrained *and* rotated here, so a quick retry by its key is no
        sign of theft, and revoking the grant would leave a worker on a bad network with a new offer to
        ask for. A Bearer grant's retry stays a reuse: whoever holds the old token could be retrying."""
        if row.jkt is None or row.successor is None or row.used_at is None or now - utc(row.used_at) > RETRY_WINDOW:
            return None
        unseen = s.get(RefreshToken, row.successor, with_for_update=True)
        if unseen is None or unseen.state != "active":
            return None
        answered = s.get(Token, unseen.access_hash)
        return unseen if answered is None or answered.presented_at is None else None

    def _idle(self, s: Session, row: RefreshToken, now: datetime) -> bool:
        """Whether the grant's live refresh token ``row`` went unused for :data:`REFRESH_IDLE` (RFC 9700
        §4.14.2), counted from the later of when it was given and when the copies its grant holds come
        within :data:`RENEWAL_NOTICE` of their end (before that, a wallet in use has nothing to renew)."""
        since = utc(row.issued_at) if row.issued_at is not None else now
        copies_end = s.scalar(select(func.max(CredentialRecord.expires_at)).where(
            CredentialRecord.grant_id == row.grant_id, CredentialRecord.superseded.is_(False)))
        if copies_end is not None:
            since = max(since, utc(copies_end) - RENEWAL_NOTICE)
        return now - since > REFRESH_IDLE

    def revoke(self, inst: Institution, form: Mapping[str, str], dpop_proof: str | None = None, *,
               attestation: str | None = None, attestation_pop: str | None = None) -> None:
        """RFC 7009 §2.1: the wallet revokes a refresh or access token (its card was deleted): the whole
        grant ends (§2.1: "SHOULD also invalidate ... the same authorization grant"), recorded in the
        case history. Nobody but the grant's wallet ends it:

        * a grant given to an attested wallet: its client authentication, the attestation (the
          metadata's ``revocation_endpoint_auth_methods_supported``), else ``invalid_client`` (401);
        * a grant given to an anonymous wallet (a policy allowing ``none``) and bound to a DPoP key:
          a DPoP proof by that key, the only thing that tells its wallet, else ``invalid_client``;
        * a DPoP proof, when sent, is verified (RFC 9449 §4.3, ``htu`` this endpoint, the server's
          nonce: ``use_dpop_nonce``, §8) and must be by the key of a DPoP-bound grant, else
          ``invalid_grant`` (RFC 6749 §5.2: "issued to another client"); a malformed one is
          ``invalid_request``;
        * a request with neither (no client authentication at all) is ``invalid_client`` (401) before
          any token is looked up (§2.1: the client is authenticated first), whether or not the token
          exists: its answer tells nothing of which tokens are live. A Bearer grant (neither attested
          nor DPoP-bound) is thus not revoked here: it ends by itself within minutes (:meth:`_grant_end`).

        ``token_type_hint`` is a hint (§2.1): one not known is ignored, and both kinds of token are
        looked up whatever it says. A token unknown, ended or of another institution is answered as
        revoked (§2.2), telling nothing."""
        value = form.get("token")
        if not value:
            raise ProtocolError("invalid_request", "token is required")
        now = self._now()
        client = self.attestations.client(inst.issuer_url, attestation, attestation_pop, now)
        if client is None and dpop_proof is None:
            # Before the lookup: a 401 for a live grant but 200 for an unknown token would tell anyone
            # which tokens are live (review P, RFC 7009 §2.1).
            raise ProtocolError("invalid_client", "authenticate: the wallet's attestation (OAuth-Client-Attestation), "
                                "or a DPoP proof by the grant's key", http_status=401)
        try:
            proof = dpop.verify_proof(dpop_proof, method="POST", url=f"{inst.issuer_url}/revoke", now=now) \
                if dpop_proof is not None else None
        except ProtocolError as exc:  # RFC 7009 §2.2.1: the codes of RFC 6749 §5.2
            raise ProtocolError("invalid_request", f"the DPoP proof is invalid: {exc.message}") from exc
        with self.nonces.renewed_on_refusal(), self.sessions.begin() as s:
            if proof is not None:
                self.nonces.check_dpop_nonce(s, proof, now, http_status=400)
                self.nonces.first_use(s, f"{proof.jkt}:{proof.jti}", now, "invalid_request",
                                      "this DPoP proof was already used")
            if client is not None:
                self.nonces.first_use_pop(s, client, now)
            refresh = s.get(RefreshToken, stored_hash(value), with_for_update=True)
            access = s.get(Token, stored_hash(value)) if refresh is None else None
            if refresh is not None:
                grant_id, jkt, case_id = refresh.grant_id, refresh.jkt, refresh.case_id
            elif access is not None:
                grant_id, jkt, case_id = _grant_of(access), access.jkt, access.case_id
            else:
                return
            case = s.get(Case, case_id)
            if case is None or case.entity_id != inst.entity.id:
                return
            client_id = s.scalar(select(RefreshToken.client_id).where(RefreshToken.grant_id == grant_id).limit(1))
            if client_id is not None and (client is None or client.client_id != client_id):
                raise ProtocolError("invalid_client", "this grant's wallet authenticates with its attestation",
                                    http_status=401)
            if jkt is not None and proof is None and client_id is None:
                raise ProtocolError("invalid_client", "this grant is bound to a DPoP key: send a DPoP proof by it",
                                    http_status=401)
            if jkt is not None and proof is not None and proof.jkt != jkt:
                raise ProtocolError("invalid_grant", "this grant was issued to another DPoP key")
            live = s.scalar(select(RefreshToken.token_hash).where(RefreshToken.grant_id == grant_id,
                                                                  RefreshToken.state == "active").limit(1))
            self._revoke_grant(s, grant_id, now)
            if live is not None:  # once: a wallet cannot fill the history
                s.add(Event(case_id=case.id, at=now, action="grant_revoked",
                            actor=f"wallet:{client_id}"[:60] if client_id else "wallet (anonymous)",
                            reason="the wallet removed the document: its copies are no longer renewed"))

    @staticmethod
    def _revoke_grant(s: Session, grant_id: str, now: datetime) -> None:
        """RFC 9700 §4.14.2: the grant's live refresh token revoked, and its access tokens ended."""
        s.execute(update(RefreshToken).where(RefreshToken.grant_id == grant_id, RefreshToken.state == "active")
                  .values(state="revoked"))
        s.execute(update(Token).where(Token.grant_id == grant_id, Token.expires_at >= now)
                  .values(expires_at=now - timedelta(seconds=1)))

    # --- metadata ----------------------------------------------------------------------------------------

    def metadata(self, inst: Institution) -> dict[str, Any]:
        configurations = []
        for cid in self.issued_configurations(inst):  # never a type the issuers list does not list it for
            module = CREDENTIAL_TYPES[cid]
            doc = module.type_metadata_document()
            display = [{"name": d["name"], "locale": d["locale"]} for d in doc.get("display", [])]
            claims = [{"path": c["path"], "display": [{"name": d.get("label"), "locale": d.get("locale")}
                                                      for d in c.get("display", [])]}
                      for c in doc.get("claims", [])]
            required, attestation = self.attestations.metadata_levels()
            configurations.append(openid4vci.Configuration(cid, module.VCT, display, claims,
                                                           key_attestations_required=required,
                                                           attestation_proof_levels=attestation))
            if module is pid:  # the mdoc's data elements by the PID Rulebook's names (§3.1.1)
                claims = [{**c, "path": [pid.MDOC_ELEMENTS.get(c["path"][0], c["path"][0]), *c["path"][1:]]}
                          for c in claims]
            configurations.append(openid4vci.Configuration(cid + MDOC_SUFFIX, module.VCT, display, claims,
                                                           doctype=mdoc.DOCTYPES[cid],
                                                           key_attestations_required=required,
                                                           attestation_proof_levels=attestation))
        display = [{"name": inst.entity.name, "locale": countries.language(inst.entity.country)},
                   {"name": inst.entity.name_en, "locale": "en"}]
        return openid4vci.issuer_metadata(inst.issuer_url, configurations, display=display, batch_size=self.batch_size)

    def jwt_vc_issuer_metadata(self, inst: Institution) -> dict[str, Any]:
        """The institution's JWT VC Issuer Metadata (:func:`jwt_vc_issuer_metadata`) as of now: every
        configured signer whose chain has not ended (:func:`issuer.signers.published`), the next one
        before it signs anything, never one the issuers list held revokes."""
        now = self._now()
        chains = [s.chain for s in published(inst.signers, now, revoked=self.signer_choice.revoked)]
        return jwt_vc_issuer_metadata(inst.issuer_url, chains, now)

    def type_metadata(self, configuration_id: str) -> dict[str, Any]:
        module = CREDENTIAL_TYPES.get(configuration_id)
        if module is None:
            raise ProtocolError("not_found", "no such credential type", http_status=404)
        doc: dict[str, Any] = module.type_metadata_document()
        return doc

    def type_metadata_integrity(self, configuration_id: str) -> str:
        return type_metadata.integrity(self.type_metadata(configuration_id))


def jwt_vc_issuer_metadata(issuer_url: str, chains: Sequence[Sequence[Certificate]], now: datetime) -> dict[str, Any]:
    """SD-JWT VC JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc §5; standards.md §2.3, §2.4): the
    ``issuer`` (the credentials' ``iss``) and, in ``jwks``, the public key of each document signer
    whose chain has not ended at ``now``: the one signing now and a next one configured beside it,
    also before its certificate begins (:mod:`issuer.signers`), so that a verifier resolving keys by
    ``iss`` or ``kid`` knows a key before the first credential signed with it reaches it.

    Each key carries its ``kid`` (base64url SHA-256 of its SubjectPublicKeyInfo, the project's kid of a
    signer) and its ``x5c`` (RFC 7517 §4.7: the chain the credentials carry, leaf first, never the
    anchor): the certificate that names the institution and chains to the CA the trust list lists for
    it, which is what a verifier must still check, this document being only as good as its TLS.
    ``chains``: the signer chains of the institution, leaf first."""
    keys = []
    for chain in chains:
        leaf = chain[0]
        public = leaf.public_key()  # an institution's signer is an EC key (credentials.signing_key checks it)
        if isinstance(public, ec.EllipticCurvePublicKey) and now < signer_end(chain):
            keys.append({**public_jwk(public), "use": "sig", "kid": spki_kid(leaf), "x5c": x5c_header(chain)})
    return {"issuer": issuer_url, "jwks": {"keys": keys}}


def _pid_metadata(inst: Institution, claims: Any, expiry: date) -> Any:
    """``claims`` with the PID Rulebook's mandatory metadata (§2.4) our provider states where missing:
    its name as ``issuing_authority``, its state as ``issuing_country``, ``date_of_expiry``."""
    return pid.with_provider_metadata(claims, authority=inst.entity.name, country=inst.entity.country, expiry=expiry)


def _pid_authorities(inst: Institution) -> tuple[str, ...]:
    """What a PID of this provider may name as its ``issuing_authority``: its name, in its language or
    in English, or its state's code (§2.4: where there is no separate authority)."""
    return inst.entity.name, inst.entity.name_en, inst.entity.country


def _named_clerk(actor: str) -> bool:
    """``clerk:LV:VSAA/anna.berzina``: one person, not an institution's shared token (``clerk:LV:VSAA``)."""
    return actor.startswith("clerk:") and "/" in actor


def _refusal_json(refused: ProtocolError | None) -> dict[str, Any] | None:
    """A refusal (:mod:`issuer.rules`) as a case's JSON tells it before anyone asks, or None."""
    if refused is None:
        return None
    return {"rule": refused.message, "rule_key": refused.key, "rule_params": refused.params}


def _signer_expired(inst: Institution, now: datetime,
                    signer: Callable[[Institution, datetime], Signer | None]) -> ProtocolError | None:
    """503 ``temporarily_unavailable`` when the institution signs nothing now (``signer``:
    :meth:`IssuerService.signer`, :func:`issuer.signers.current_signer`), else None (:func:`_unsigned`
    says why). Not a 409: nothing is wrong with the case, and the same request succeeds once the
    operator renews the certificate, a next signer begins, or the registry accepts a key of the
    institution again (no Retry-After: when is not known). What would be signed would not verify
    (:func:`credential_end`), or would be refused by every holder of the issuers list."""
    return None if signer(inst, now) is not None else _unsigned(inst, now)


def _unsigned(inst: Institution, now: datetime) -> ProtocolError:
    """The 503 when no signer of ``inst`` is chosen at ``now`` (:func:`issuer.signers.unsigned_rule`):
    ``signer.expired`` when none can sign by its dates (each chain ended, ends within
    :data:`SIGNER_MARGIN`, or has not begun), ``signer.distrusted`` when the issuers list bars each that
    can (a revoked key, the institution suspended or withdrawn, a key rotated out)."""
    return refusal(unsigned_rule(inst.signers, now), error="temporarily_unavailable", http_status=503)


def _told(inst: Institution, refused: ProtocolError) -> ProtocolError:
    """``refused``, logged first for the operator when it is the signer chain's end (each refused
    issuance or print says which institution's certificate to renew, and when it ended) or the issuers
    list barring its signers (which institution; ``esspass issuer check`` says why), or not listing the
    institution for a type (:data:`issuer.signers.TYPE_UNLISTED`: which one). No case, no person: the
    clerk's page and the wallet say the rest."""
    if refused.key == "signer.expired":
        _log.error("%s issues and prints nothing: none of its signer certificates can sign now (valid %s UTC, "
                   "each less a minute at its end); have a new one issued, configure it (next_signer_key), register "
                   "it (esspass registry) and restart the issuer with it", inst.entity.id,
                   ", ".join(f"{s.not_before:%Y-%m-%d %H:%M:%S} to {s.end:%Y-%m-%d %H:%M:%S}" for s in inst.signers),
                   extra={"service": "issuer", "event": "signer_expired", "entity": inst.entity.id})
    elif refused.key == "signer.distrusted":
        _log.error("%s issues and prints nothing: the registry's issuers list bars each of its signers that could "
                   "sign (its key revoked or rotated out, or the institution suspended or withdrawn); `esspass "
                   "issuer check` says which: have a new key certified and registered, or the institution "
                   "reinstated", inst.entity.id,
                   extra={"service": "issuer", "event": "signer_distrusted", "entity": inst.entity.id})
    elif refused.key == TYPE_UNLISTED:
        _log.error("%s issues no %s: the registry's issuers list does not list it with the role %s (`esspass "
                   "issuer check` says the registry operator's command)", inst.entity.id, refused.params["type"],
                   refused.params["role"], extra={"service": "issuer", "event": "type_unlisted",
                                                  "entity": inst.entity.id})
    return refused


def _holder_named(holder: Mapping[str, Any] | None) -> bool:
    """Does ``holder`` name the person: family and given name, and birth date (a paper copy prints them)?"""
    return holder is not None and all(str(holder.get(k) or "").strip() for k in ("family_name", "given_name",
                                                                                  "birthdate"))


def _represented(configuration_id: str, claims: Mapping[str, Any]) -> bool:
    """Is this an EHIC of a represented person (a child): its ``subject`` is card fields 3-5, and its
    paper copy and QR code name that person, not the case's holder (:func:`issuer.paper.paper_text`)."""
    return CREDENTIAL_TYPES.get(configuration_id) is ehic and isinstance(claims.get("subject"), Mapping)


def _unnamed(configuration_id: str, claims: Mapping[str, Any], holder: Mapping[str, Any] | None) -> bool:
    """Would this be an EHIC of the holder's own or an A1 without its holder's surname, given names and
    date of birth (Decision S2 fields 3-5, the A1's section 1; :func:`credentials.ehic.with_holder` and
    :func:`credentials.pda1.with_holder` sign them from the case's holder)? Every one carries them, and
    a verifier takes a document signed without them for one whose names were withheld
    (:func:`credentials.holder_link.link`): neither recorded (``case.holder_required``), offered
    (``case.no_holder_offer``) nor delivered (a deferred request, a copy renewal of a case recorded
    before the rule) until the case names its holder."""
    return (CREDENTIAL_TYPES.get(configuration_id) in (ehic, pda1) and not _represented(configuration_id, claims)
            and not _holder_named(holder))


def _unnamed_rule(configuration_id: str, key: str) -> str:
    """The rule ``key`` (``case.holder_required``, ``case.no_holder_offer``) as the document type words it:
    an A1's names its section 1, a card's its fields 3-5."""
    return key.replace("case.", "case.a1_", 1) if CREDENTIAL_TYPES.get(configuration_id) is pda1 else key


def _unnamed_refused(configuration_id: str) -> ProtocolError:
    """Why a credential request for a document whose case names no holder (:func:`_unnamed`) is refused."""
    if CREDENTIAL_TYPES.get(configuration_id) is pda1:
        return ProtocolError("credential_request_denied", "the A1's holder (surname, forenames, date of birth: "
                             "section 1) is not recorded; the institution replaces the case giving them")
    return ProtocolError("credential_request_denied", "the card's holder (surname, given names, date of birth: card "
                         "fields 3-5) is not recorded; the institution replaces the case giving them")


def _not_competent(inst: Institution, field: str) -> DataError:
    """The rule of a field naming another institution or state than ``inst``, the one recording the case."""
    return invalid(field, "issuer.own_institution", id=inst.entity.id, country=inst.entity.country)


def _competence_first(inst: Institution, module: Any, claims: Any) -> None:
    """Refuse (DataError) claims that name another institution or another state (a supported state's
    code) than ``inst`` (:func:`credentials.verification.competence_problem`), before the model's own
    rules: those would judge the document as the other state's, and blame a field that is right for
    it. A field missing, of another shape, or not a state's code is left to the model to name."""
    if not isinstance(claims, Mapping):
        return
    try:
        problem = verification.competence_problem(inst.entity, module, claims)
    except _ROW_SHAPE_ERRORS:
        return
    if problem is None:
        return
    value: Any = claims
    for part in problem[0].split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        return
    if problem[0].endswith("country") and not countries.is_supported(value.upper()):
        return  # not a state's code at all ("XX"): the model says so
    raise _not_competent(inst, problem[0])


def _holder(holder: Mapping[str, Any], issued: str | None = None, started: str | None = None, *,
            min_age: int = 0) -> dict[str, str]:
    """The case's holder checked (DataError at ``holder.*``): all three fields, a birth date not after
    the document's date of issue ``issued`` (a typing mistake, refused as a child's on its card is), nor
    more than 120 years before it, nor after the first day of its period ``started``, and ``min_age``
    years before it at least (:func:`holder_min_age`)."""
    # credentials.claims: every problem found, the first raised
    return person(holder, issued, started=started, min_age=min_age)


def holder_min_age(module: Any) -> int:
    """The youngest the holder of a document of ``module`` may be: an A1's worker
    (:data:`credentials.pda1.WORKER_MIN_AGE`); anyone else any age (a newborn has an EHIC)."""
    return pda1.WORKER_MIN_AGE if module is pda1 else 0


_PROVIDER_UNTRUSTED = "the wallet's provider is no longer trusted"


def _untrusted_provider(providers: trust_list.TrustList, provider_ids: Sequence[str],
                        now: datetime) -> tuple[str, str] | None:
    """(id, why) of the first of ``provider_ids`` not an active wallet provider on ``providers`` now."""
    for provider_id in provider_ids:
        try:
            trust_list.active_entity_by_id(providers, provider_id, Role.WALLET_PROVIDER, at=now)
        except IssuerTrustError as exc:
            return provider_id, exc.message
    return None


def grant_handle(grant_id: str) -> str:
    """How the back office names a wallet grant (:meth:`IssuerService.stop_copies`): 16 hex digits of a
    SHA-256 of its id, never the id itself, which keys the grant's tokens and records."""
    return hashlib.sha256(f"esspass-grant:{grant_id}".encode()).hexdigest()[:16]


def _grant_of(token: Token) -> str:
    """The grant a token belongs to; a token recorded before grants were (migration 0012) is its own."""
    return token.grant_id or token.token_hash


def _response_id(token_hash: str, configuration_id: str) -> str:
    """The ``notification_id`` (§8.3, §11.1) of the credential response an access token (by its stored
    hash) gives for ``configuration_id``: the same for a request made again after its answer was lost,
    so that the response is found again (:meth:`IssuerService._delivered`) with nothing more stored.
    128 bits as a random one, unique as the token is; it tells nothing of the token (a hash of its hash)."""
    return b64url_encode(hashlib.sha256(f"{token_hash}:{configuration_id}".encode()).digest()[:16])


def _access_token(authorization: str | None) -> tuple[str, str]:
    """(scheme, token) of an ``Authorization: Bearer|DPoP <token>`` header (RFC 6750, RFC 9449 §7.1)."""
    if not authorization:
        # RFC 6750 §3.1: a request without any authentication gets the bare challenge, no error
        # code in it; both schemes this issuer takes are offered (RFC 9449 §7.1).
        raise ProtocolError("invalid_token", "an access token is required (Bearer or DPoP)", http_status=401,
                            headers={"WWW-Authenticate": 'Bearer, DPoP algs="ES256"'})
    given, _, token = authorization.partition(" ")
    scheme = _SCHEMES.get(given.lower())  # RFC 9110 §11.1: the scheme is case-insensitive
    if scheme is None or not token.strip() or len(authorization) > 512:
        raise ProtocolError("invalid_token", "an access token is required (Bearer or DPoP)", http_status=401)
    return scheme, token.strip()


_SCHEMES = {"bearer": "Bearer", "dpop": "DPoP"}


def _invalid_token(description: str, *, dpop: bool) -> ProtocolError:
    """RFC 6750 §3.1 ``invalid_token`` (401) challenged in the token's own scheme: ``DPoP`` for a
    DPoP-bound token or one presented as such (RFC 9449 §7.1), else the default ``Bearer``."""
    headers = {"WWW-Authenticate": 'DPoP error="invalid_token", algs="ES256"'} if dpop else None
    return ProtocolError("invalid_token", description, http_status=401, headers=headers)


_log = logging.getLogger("esspass.issuer")
#: Why a credential request with a good access token is refused once what it asks was given with it.
_ALREADY_ISSUED = ("this document was already issued in this form with this access token: one credential "
                   "response per credential configuration and access token")
#: What a credential model raises on a cell of a shape it does not expect (a ``;`` list where it reads
#: text, text where it reads a group of columns): a mistake in that row, reported as such, never a
#: reason to stop the import of the rows after it.
_ROW_SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


def _row_lines(rows: Sequence[object], lines: Sequence[int] | None) -> list[int]:
    """The number each row of an import goes by: the line of the file it is on (``lines``, as
    :func:`issuer.office.read_csv` reads them: blank lines and the header counted), or, not given,
    2, 3 ... as though the header were line 1 and each row one line."""
    if lines is None:
        return list(range(2, len(rows) + 2))
    if len(lines) != len(rows):
        raise ValueError(f"{len(lines)} line numbers for {len(rows)} rows")
    return list(lines)


def _refused_row(line: int, field: str, exc: DataError | ProtocolError) -> dict[str, Any]:
    """A report row for a row refused by ``exc``: its ``field`` and ``rule``, and the rule's key and
    parameters when it has them (for the back office to say it in the clerk's language)."""
    row: dict[str, Any] = {"row": line, "ok": False, "field": field,
                           "rule": exc.rule if isinstance(exc, DataError | NumberTaken) else exc.message}
    if exc.key is not None:
        row.update(rule_key=exc.key, rule_params=exc.params)
    if isinstance(exc, DataError):  # every problem of the row, the first included (DataError.others)
        row["problems"] = [problem.problem() for problem in exc.problems]
    return row


def import_rows(service: IssuerService, inst: Institution, rows: Sequence[Mapping[str, str]], *,
                actor: str, lines: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Bulk import (issue #4): one report line per row, in order; good rows are imported, bad ones named.

    Each row is its own transaction (:meth:`IssuerService.create_case`), so that one mistake in a
    file of thousands does not hold back the others: the report says which rows were recorded
    (``ok`` true, ``case_id``) and which were not (``ok`` false, ``field`` and ``rule``, and the
    rule's ``rule_key`` and ``rule_params`` where it has them). Should the database fail, that row and
    every row after it are reported as not imported (``retry`` true) and the import stops: the rows
    before it stay recorded, and the report says exactly which, so that importing the rest again
    creates nothing twice. Each row is named by its line of the file (``lines``, :func:`_row_lines`).
    """
    numbers = _row_lines(rows, lines)
    report: list[dict[str, Any]] = []
    for at, (number, row) in enumerate(zip(numbers, rows, strict=True)):
        try:
            configuration_id = (row.get("configuration_id") or "").strip()
            claims = unflatten({k: v for k, v in row.items() if k and k != "configuration_id"})
            holder = _import_holder(claims.pop("holder", None))
            if configuration_id == pda1.CONFIGURATION_ID:  # a clerk's columns, as the form: one shape
                claims = pda1.one_shape(claims)
            case = service.create_case(inst, configuration_id, claims, actor=actor, holder=holder)
        except (DataError, NumberTaken) as exc:  # NumberTaken: given meanwhile, since import_file checked
            report.append(_refused_row(number, exc.field, exc))
        except ProtocolError as exc:
            report.append(_refused_row(number, "", exc))
        except CredentialError as exc:
            report.append({"row": number, "ok": False, "field": "", "rule": exc.message})
        except _ROW_SHAPE_ERRORS as exc:
            # The type only: the message may quote the cell, with someone's personal data.
            _log.warning("import row %d refused (%s)", number, type(exc).__name__,
                         extra={"service": "issuer", "event": "import_row"})
            report.append({"row": number, "ok": False, "field": "", **rule_row("csv.row_shape")})
        except SQLAlchemyError as exc:
            _log.error("import stopped at row %d: database error (%s)", number, type(exc).__name__,
                       extra={"service": "issuer", "event": "import_stopped"})
            report.extend({"row": n, "ok": False, "field": "", "retry": True, **rule_row("csv.database")}
                          for n in numbers[at:])
            break
        except Exception:  # noqa: BLE001 - logged with its trace; the report must reach the clerk
            # A fault of ours, not of the file: the import stops there (nothing after it is tried on a
            # service in doubt), and the report still names the rows recorded before it, so that
            # nothing is created twice when the rest is imported again.
            _log.exception("import stopped at row %d: unexpected error", number,
                           extra={"service": "issuer", "event": "import_stopped"})
            report.extend({"row": n, "ok": False, "field": "", "retry": True, **rule_row("csv.stopped")}
                          for n in numbers[at:])
            break
        else:
            report.append({"row": number, "ok": True, "case_id": case.id, "label": case.label,
                           **_overlap_note(service, case.id)})
    return report


def _overlap_note(service: IssuerService, case_id: str) -> dict[str, str]:
    """An imported row's ``overlaps`` (the A1s of the person its period overlaps, as its history names
    them, :meth:`IssuerService.overlaps_noted`) where there are any: recorded, and said in the report."""
    noted = service.overlaps_noted(case_id)
    return {"overlaps": noted} if noted else {}


def _import_holder(columns: Any) -> dict[str, Any] | None:
    """The ``holder.*`` columns of an import row as :meth:`IssuerService.create_case` takes the holder
    (the API's names: ``holder.family_name``, ``holder.given_name``, ``holder.birthdate``; the card's
    ``holder.birth_date`` too, :data:`credentials.ehic.HOLDER_CLAIMS`), None for a row without them:
    the register's surname, given names and birth date, fields 3-5 of a card issued in bulk."""
    if columns is None:
        return None
    if not isinstance(columns, dict):  # a column "holder" alone: not a field, as before
        raise invalid("holder", "object")
    holder, card_name = dict(columns), "birth_date"  # field 5 as the card names it
    if card_name in holder:
        if "birthdate" in holder:
            raise invalid(f"holder.{card_name}", "csv.column_conflict")
        holder["birthdate"] = holder.pop(card_name)
    return holder


def import_file(service: IssuerService, inst: Institution, rows: Sequence[Mapping[str, str]], *,
                actor: str, lines: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """A CSV import (:func:`import_rows`) that records nothing when a document number in it is
    already given, to a case of the institution or on an earlier row of the file: the file is
    refused whole (:class:`NumberTaken`, ``rows`` naming each such row), so that the clerk corrects
    the file and imports it again whole, with none of its rows already in to find and leave out.

    A number another clerk's case takes between this check and its row is that row's refusal in
    the report (the unique index), as any other row's mistake. A file with no row is refused
    (DataError ``file``, :data:`NO_ROWS`): "0 imported" would read as a success. ``lines``: the
    line of the file each row is on, by which the report and the refusal name it (:func:`_row_lines`).
    """
    service.may_record(inst, actor)
    if not rows:
        raise invalid("file", "csv.no_rows")
    conflicts = service.number_conflicts(inst, rows, lines=lines)
    if len(conflicts) == 1:
        raise NumberTaken("csv.numbers_taken_row", {"row": conflicts[0]["row"]}, rows=conflicts)
    if conflicts:
        raise NumberTaken("csv.numbers_taken_rows", {"rows": ", ".join(str(r["row"]) for r in conflicts)},
                          rows=conflicts)
    return import_rows(service, inst, rows, actor=actor, lines=lines)


def _repeated(s: Session, earlier: ImportRecord, file_hash: str | None) -> ImportRepeated:
    """How a request under the one-time id of the ``earlier`` import is answered, by its file ``file_hash``
    (None: not read yet): :class:`ImportKeyReused` for another file; the first answer's rows to send again
    (``replay``, :func:`_replayed_rows`) for the same file once the import finished whole and they were
    kept; else refused."""
    at = utc(earlier.at)
    if file_hash is not None and earlier.file_hash is not None and earlier.file_hash != file_hash:
        return ImportKeyReused(at, earlier.imported, earlier.rejected)
    same = file_hash is not None and earlier.file_hash == file_hash
    kept = earlier.outcome if same and earlier.imported is not None else None
    return ImportRepeated(at, earlier.imported, earlier.rejected,
                          replay=None if kept is None else _replayed_rows(s, earlier.entity_id, kept))


#: What of an import report's row is kept for a replay (:func:`replayable_rows`), and what a replay gives
#: again (:func:`_replayed_rows`: the case's ``label`` read from the case).
_REPLAYED = ("row", "ok", "case_id", "label", "overlaps", "field", "rule_key")


def replayable_rows(report: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of an import's report as kept for its answer to be sent again (:class:`ImportRepeated`
    ``replay``): each row's line, whether it was imported, its case's id and the A1s it was recorded
    beside (references, not the person), or the field and rule key it was refused by. Not the case's
    label (a PID without a document number is labelled by its holder's name, :meth:`IssuerService._new_case`;
    :func:`_replayed_rows` reads it from the case), nor a refused row's rule text, parameters or problems:
    they may quote the file's cells."""
    return [{name: row[name] for name in _REPLAYED if name in row and name != "label"} for row in report]


def _replayed_rows(s: Session, entity_id: str, kept: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows :func:`replayable_rows` kept, each imported one with its case's label again, as the case has
    it now (erased: no longer the holder's name), read from the institution's own cases."""
    ids = [row["case_id"] for row in kept if isinstance(row.get("case_id"), str)]
    labels: dict[str, str] = {}
    if ids:
        labels.update((case_id, label) for case_id, label in
                      s.execute(select(Case.id, Case.label).where(Case.entity_id == entity_id, Case.id.in_(ids))))
    with_label = [{**row, "label": labels.get(row["case_id"], "")} if isinstance(row.get("case_id"), str) else row
                  for row in kept]
    return [{name: row[name] for name in _REPLAYED if name in row} for row in with_label]


def import_once(service: IssuerService, inst: Institution, rows: Sequence[Mapping[str, str]], *,
                import_id: str | None, file_hash: str, again: bool = False, replay: bool = False, actor: str,
                lines: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """:func:`import_file` made at most once under ``import_id`` (the back office form's one-time
    ``import_id``, an API client's ``Idempotency-Key``; None: an id of its own, used once): a second
    request with the same id, sent at once or days later, records nothing and is refused
    (:class:`ImportRepeated`, naming when the first began and, once it finished, how many rows it
    imported and rejected). Each row stays its own transaction (:func:`import_rows`).

    The file (``file_hash``, :func:`issuer.db.file_digest` of its bytes) is imported once too: brought
    again under another id while an earlier import of it is kept (:data:`IMPORT_KEPT`), it records nothing
    and is refused (:class:`SameFile`, naming that import) unless ``again``: the clerk confirmed it.
    ``replay``: keep what the answer needs to be sent again (:meth:`IssuerService.finish_import`).

    A file refused whole (a number already given, no row, four-eyes) recorded nothing: its id is
    released, so that the same request sent again gets the same refusal. Any other failure keeps the
    id, without counts: rows may have been recorded before it, and a reload is told the import did
    not finish, never let through to record them again."""
    if import_id is None:
        import_id = secrets.token_urlsafe(24)
    service.claim_import(inst, import_id, actor=actor, file_hash=file_hash, again=again)
    try:
        report = import_file(service, inst, rows, actor=actor, lines=lines)
    except (DataError, ProtocolError):  # before any row (import_rows reports each row's refusal instead)
        _unless_database_fails(service.release_import, inst, import_id)
        raise
    # Not recorded (the database failing): a reload is told the import did not finish, the report shown now.
    _unless_database_fails(service.finish_import, inst, import_id, report, replay=replay)
    return report


def _unless_database_fails(step: Callable[..., None], *args: Any, **options: Any) -> None:
    """``step(*args, **options)``, a database failure logged (its type only: the text may quote rows) and let
    be: what the import did or refused is what the clerk must be told, not that its bookkeeping failed."""
    try:
        step(*args, **options)
    except SQLAlchemyError as exc:
        _log.error("recording an import's outcome failed (%s)", type(exc).__name__,
                   extra={"service": "issuer", "event": "import_once"})


def unflatten(flat: Mapping[str, str | None]) -> dict[str, Any]:
    """CSV columns with dotted names (``employer.name``) to nested claims; empty cells are left out.

    A column ending in ``[]`` holds a ``;``-separated list (``nationalities[]``); ``true``/``false``
    become booleans. A numbered part is an entry of a list of objects, in the numbers' order
    (``employer.0.name``, ``employer.1.name``; ``work_information.work_address.1.locality``: the
    DC4EU PDA1 v1.1 lists), an entry whose cells are all empty none.
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
                raise invalid(key, "csv.column_conflict")
        node[parts[-1]] = value
    return {key: _numbered(value) for key, value in out.items()}


def _numbered(node: Any) -> Any:
    """:func:`unflatten`'s object whose keys are all numbers as the list of its entries (a mix of
    numbered and named members stays an object, which the document model refuses by name)."""
    if not isinstance(node, dict):
        return node
    node = {key: _numbered(value) for key, value in node.items()}
    if node and all(key.isascii() and key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node
