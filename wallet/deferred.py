"""Deferred issuance, the wallet's side: what it keeps while an institution decides, and how it reads
the answers (OpenID4VCI 1.0 §8.3 HTTP 202, §9 Deferred Credential Endpoint; standards.md §4.6-§4.7).

Pure functions over answers already received and a clock passed in; no I/O (the requests are
:func:`wallet.receive.poll_deferred` and :func:`wallet.receive.refresh_access`, the orchestration
:meth:`wallet.service.WalletService.fetch_pending`).

An institution may hold a document until a second clerk approves it. Its Credential Endpoint then
answers **202** ``{"transaction_id", "interval"}`` (§8.3: ``interval`` REQUIRED, seconds to wait
before asking again). The wallet keeps a :class:`PendingIssuance` in its encrypted store: where to
ask (the Deferred Credential Endpoint, the token and notification endpoints), the access token,
the refresh token and the DPoP key it is bound to (RFC 9449 §5), the holder keys whose public keys
were in the proofs (the issuer signs for exactly those keys later), one transaction per offered
configuration, the interval and when to ask next. It then ``POST``s ``{"transaction_id"}`` (§9.1)
and reads the answer with :func:`read_deferred_answer`:

====================================================  ===========================================
answer                                                 the wallet
====================================================  ===========================================
200 ``credentials`` (+ ``notification_id``)            the receipt checks of an immediate issuance
202 ``transaction_id`` (the same) + ``interval``       keeps it; asks again after the interval
400 ``credential_request_denied``                      drops it: the institution refused (§9.3)
400 ``invalid_transaction_id``                         drops it: the issuer no longer knows it
401 ``invalid_token`` (RFC 6750 §3.1)                  refreshes the access token once (RFC 6749 §6)
network trouble, 5xx, ``temporarily_unavailable``      keeps it; asks again later
anything else                                          keeps it, says what was wrong; asks again later
====================================================  ===========================================

The issuer's interval is honoured within [:data:`MIN_INTERVAL`, :data:`MAX_INTERVAL`]: a wallet does
not hammer an issuer that says 0, and an issuer that says 10^12 is still asked once a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.errors import MalformedError

__all__ = [
    "DEFAULT_INTERVAL",
    "ENTRY_SECONDS",
    "LEASE_SECONDS",
    "MAX_INTERVAL",
    "MIN_INTERVAL",
    "Answer",
    "Arrived",
    "Issued",
    "PendingIssuance",
    "Transaction",
    "clamp_interval",
    "credential_answer",
    "deferral",
    "due",
    "read_deferred_answer",
]

#: Fewest seconds between two questions to one issuer about one document.
MIN_INTERVAL = 5
#: Most seconds between two questions: an issuer saying 10^12 is still asked once a day.
MAX_INTERVAL = 24 * 3600
#: The wait when an issuer's 202 carries no usable ``interval`` (it is REQUIRED; read leniently, since
#: a missing number is no reason to lose the document the worker came for).
DEFAULT_INTERVAL = 60
#: Longest transaction_id the wallet keeps (the issuer's opaque string; ours are 43 characters).
MAX_TRANSACTION_ID = 512
#: Seconds one wallet process holds an entry while asking about it, so that the terminal and the
#: page do not both ask (and the second be told the transaction is gone, or the refresh token be
#: sent twice, which an issuer may answer by revoking the grant, RFC 6749 §10.4).
LEASE_SECONDS = 120
#: Most seconds the questions about one entry may take in all (the lease is taken just before), well
#: within :data:`LEASE_SECONDS`: the lease cannot run out while its holder still asks.
ENTRY_SECONDS = 60


def clamp_interval(value: Any, *, default: int = DEFAULT_INTERVAL) -> int:
    """§8.3 ``interval`` (seconds) within [MIN_INTERVAL, MAX_INTERVAL]; ``default`` (clamped too)
    when it is not a non-negative integer (a JSON ``true`` is not one)."""
    seconds = value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    return max(MIN_INTERVAL, min(MAX_INTERVAL, seconds))


def deferral(body: Mapping[str, Any]) -> tuple[str, int]:
    """A 202 answer (§8.3): ``(transaction_id, interval)``; MalformedError without a usable id."""
    transaction_id = body.get("transaction_id")
    if not isinstance(transaction_id, str) or not 0 < len(transaction_id) <= MAX_TRANSACTION_ID \
            or not transaction_id.isprintable():
        raise MalformedError("the issuer deferred the document without a usable transaction_id")
    return transaction_id, clamp_interval(body.get("interval"))


@dataclass(frozen=True, slots=True)
class Issued:
    """The ``credentials`` of a 200 answer (§8.3, §9.2), as strings, each with its offline form."""

    credentials: tuple[str, ...]
    compacts: tuple[str | None, ...]
    notification_id: str | None


def credential_answer(body: Mapping[str, Any], *, most: int) -> Issued:
    """The credentials of an immediate (§8.3) or deferred (§9.2) answer: a non-empty ``credentials``
    array of at most ``most`` objects (one per key proved), each with a non-empty string
    ``credential``; the offline ``compact`` form beside it when it fits (issue #7)."""
    creds = body.get("credentials")
    if not isinstance(creds, list) or not creds or len(creds) > most:
        raise MalformedError("the credential answer does not hold the expected credentials")
    texts: list[str] = []
    compacts: list[str | None] = []
    for item in creds:
        value = item.get("credential") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value:
            raise MalformedError("the credential answer holds an entry that is not a credential")
        texts.append(value)
        extra = item.get("compact")
        compacts.append(extra if isinstance(extra, str) and len(extra) < 4096 else None)
    notification_id = body.get("notification_id")
    return Issued(tuple(texts), tuple(compacts),
                  notification_id if isinstance(notification_id, str) and 0 < len(notification_id) <= 512 else None)


@dataclass(frozen=True, slots=True)
class Answer:
    """What one question to the Deferred Credential Endpoint came to (see the module's table).

    ``kind``: ``issued`` (``issued`` set), ``pending`` (``interval`` set), ``denied``, ``unknown``
    (invalid_transaction_id), ``token_expired``, ``retry`` (try later: ``detail`` says why),
    ``malformed`` (try later too: ``detail`` says what was wrong)."""

    kind: str
    issued: Issued | None = None
    interval: int | None = None
    detail: str = ""


def read_deferred_answer(status: int, body: Any, *, transaction_id: str, most: int,
                         www_authenticate: str = "") -> Answer:
    """Classify the Deferred Credential Endpoint's answer (§9.2, §9.3; RFC 6750 §3.1 for 401).

    ``body`` is the parsed JSON (None when the answer was not JSON); ``most`` the number of keys
    proved for this transaction."""
    obj = body if isinstance(body, dict) else {}
    error = obj.get("error") if isinstance(obj.get("error"), str) else ""
    if status == 200:
        try:
            return Answer("issued", issued=credential_answer(obj, most=most))
        except MalformedError as exc:
            return Answer("malformed", detail=exc.message)
    if status == 202:
        # §9.2: the same transaction_id, and the interval to wait.
        if obj.get("transaction_id") not in (None, transaction_id):
            return Answer("malformed", detail="the issuer answered about another transaction")
        return Answer("pending", interval=clamp_interval(obj.get("interval")))
    if status == 401 and (error == "invalid_token" or "invalid_token" in www_authenticate):
        return Answer("token_expired")
    if status == 400 and error == "credential_request_denied":
        return Answer("denied")
    if status == 400 and error == "invalid_transaction_id":
        return Answer("unknown")
    if status >= 500 or error == "temporarily_unavailable" or status == 429:
        return Answer("retry", detail=f"the issuer is not available now (HTTP {status})")
    return Answer("malformed", detail=f"the issuer answered HTTP {status}" + (f" {error[:64]}" if error else ""))


@dataclass(frozen=True, slots=True)
class Transaction:
    """One offered configuration the issuer deferred: its transaction and the holder keys proved
    (PKCS#8 PEM, as the wallet keeps holder keys: :mod:`wallet.keys`, inside the encrypted store)."""

    transaction_id: str
    configuration_id: str
    vct: str
    format: str
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Arrived:
    """A deferred batch that came while another of the same offer is still pending: kept until the
    offer's last one is decided, so the receipt checks see every form of the document together."""

    configuration_id: str
    vct: str
    format: str
    keys: tuple[str, ...]
    credentials: tuple[str, ...]
    compacts: tuple[str | None, ...]
    notification_id: str | None


def display_name(display: Sequence[Mapping[str, Any]], lang: str) -> str | None:
    """The issuer's name from its metadata ``display`` (OpenID4VCI §12.2.4) in ``lang``, else in the
    first language it gives one; None when it gives none."""
    for entry in display:
        if str(entry.get("locale", "")).lower().startswith(lang) and entry.get("name"):
            return str(entry["name"])
    return next((str(entry["name"]) for entry in display if entry.get("name")), None)


@dataclass(frozen=True, slots=True)
class PendingIssuance:
    """An offer the issuer deferred (one per offer; one :class:`Transaction` per configuration)."""

    id: str
    issuer_url: str  # credential_issuer
    deferred_endpoint: str
    token_endpoint: str
    notification_endpoint: str | None
    as_issuer: str  # the audience of a client attestation PoP on refresh
    token_auth_methods: tuple[str, ...]
    challenge_endpoint: str | None
    access_token: str
    token_type: str  # "DPoP" | "Bearer"
    refresh_token: str | None
    dpop_key: str | None  # PKCS#8 PEM of the key the tokens are bound to (RFC 9449 §5)
    transactions: tuple[Transaction, ...]
    interval: int
    asked_at: str  # ISO 8601 UTC: when the worker took the offer
    next_poll: str  # ISO 8601 UTC
    arrived: tuple[Arrived, ...] = ()
    lease_until: str | None = None
    last_error: str = ""
    #: Who holds the lease (a random token of the claim): a process writes the entry only while it
    #: is still the holder, so one whose lease was taken over changes nothing.
    lease_holder: str | None = None
    #: The institution as the issuers list names it (:func:`wallet.core.deferring_issuer`,
    #: :func:`wallet.core.entity_name`), for "Waiting for <institution>": never the name the server
    #: gives itself in its metadata, which nothing signed backs. Empty in an entry kept before it was.
    institution: str = ""
    #: What renews the copies once the document came (a :class:`wallet.renewal.RenewalGrant` without its
    #: refresh token and DPoP key, which are this entry's as they are then), for a DPoP-bound grant; None
    #: in an entry kept before the wallet renewed copies (the card then cannot renew them).
    renewal: dict[str, Any] | None = None

    def issuer_name(self) -> str:
        """Who the worker is waiting for: the listed institution, else (an older entry) its address."""
        return self.institution or self.issuer_url

    def vcts(self) -> list[str]:
        """The document types asked for (an SD-JWT VC and an ISO mdoc of one document: one type)."""
        return list(dict.fromkeys([*(t.vct for t in self.transactions), *(a.vct for a in self.arrived)]))

    def after(self, now: datetime, interval: int | None = None, *, error: str = "") -> PendingIssuance:
        """Asked at ``now``: the next question after ``interval`` (the one held when None), unleased."""
        wait = clamp_interval(interval, default=self.interval)
        return replace(self, interval=wait, next_poll=(now + timedelta(seconds=wait)).isoformat(),
                       lease_until=None, lease_holder=None, last_error=error[:200])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingIssuance:
        """The typed view of a stored entry; MalformedError when it is not one (a damaged store)."""
        try:
            values = {k: v for k, v in dict(data).items() if k in cls.__dataclass_fields__}
            values["token_auth_methods"] = tuple(values.get("token_auth_methods", ()))
            values["transactions"] = tuple(
                Transaction(**{**t, "keys": tuple(t["keys"])}) for t in values.get("transactions", ()))
            values["arrived"] = tuple(
                Arrived(**{**a, "keys": tuple(a["keys"]), "credentials": tuple(a["credentials"]),
                           "compacts": tuple(a["compacts"])}) for a in values.get("arrived", ()))
            return cls(**values)
        except (TypeError, KeyError) as exc:
            raise MalformedError("a pending document in this wallet is damaged") from exc


def due(entry: PendingIssuance, now: datetime, *, force: bool = False) -> bool:
    """Whether to ask about ``entry`` now: its interval has passed (or ``force``: the worker asked),
    and no other wallet process is asking about it (its lease has passed)."""
    if entry.lease_until is not None and _at(entry.lease_until) > now:
        return False
    return force or _at(entry.next_poll) <= now


def _at(iso: str) -> datetime:
    try:
        at = datetime.fromisoformat(iso)
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    except (ValueError, TypeError):
        return datetime.min.replace(tzinfo=UTC)  # damaged: due now, and no lease

