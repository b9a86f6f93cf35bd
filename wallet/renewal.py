"""Copy renewal, the wallet's side: what it keeps to renew a card's copies, and when it renews them
(HAIP 1.0 §4 "Refresh tokens RECOMMENDED for credential refresh"; OpenID4VCI 1.0 §6.2, RFC 6749 §6).

Pure data and decisions over a clock passed in; no I/O (the requests are
:func:`wallet.receive.refresh_grant` and :func:`wallet.receive.obtain_renewed`, the orchestration
:meth:`wallet.service.WalletService.renew`).

A copy ends at the earlier of its document's end and the issuer's signer certificate chain's
(the issuer's ``credential_end``): an EHIC valid for five years, signed under a certificate with two
years left, gets copies for two years. (The copies of a document that certifies a period, an A1 or a
provisional replacement certificate, live on past that period's end within the certificate: the proof
of that period; they are never renewed once it has ended.) An issuer gives a DPoP-bound wallet a refresh token with its
first access token (RFC 9449 §5: bound to the wallet's DPoP key, so a copy of the token alone renews
nothing), living until the document's end. The wallet keeps, per card, a :class:`RenewalGrant`: the
refresh token, the DPoP key (PKCS#8 PEM, only ever inside the encrypted store), and where and how to
ask (the token, nonce, credential and notification endpoints, the client attestation's audience, the
forms the card holds with what their key proofs need). With it the wallet asks for new copies of the
same document without a new offer: a refresh (rotated: the new refresh token replaces the old at
once), then a credential request per form with fresh keys, ``c_nonce`` and key attestation. The new
copies replace the card's old ones only once they pass every receipt check.

When (:func:`due`): the copies end within the wallet setting ``copies_notice_days`` (30 days by
default: the window in which the card says when its copies end, :attr:`wallet.service.Card.copies_end_on`),
before the document does; they have all ended while the
document has not; or every copy of a form has been used (presentations are unlinkable only with an
unused copy, HAIP 1.0 §4.5). Tried when the card list or a card page is shown, within a bounded time,
and after a failure (or a renewal that did not move the copies' end) not again automatically for
:data:`RETRY_AFTER`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from credentials.errors import MalformedError, ProtocolError
from wallet import core
from wallet.model import StoredCredential

__all__ = ["ENDING", "EXPIRED", "LEASE_SECONDS", "NOT_DUE_MAX", "RENEWAL_FROM", "RETRY_AFTER", "USED_UP",
           "USED_UP_AFTER", "RenewalForm", "RenewalGrant", "copies_last_end", "due", "ends_sooner", "not_due_credible",
           "not_due_from", "published_signers", "renewed_from", "why_due"]

#: After an automatic renewal that failed, or did not move the copies' end (the institution still signs
#: under the same certificate), the next automatic one waits this long: at most once a day per card.
RETRY_AFTER = timedelta(days=1)
#: Copies all shown (:data:`USED_UP`) are renewed this long after they were issued at the earliest: the
#: issuer renews copies that are not due by their dates at most once in this time after it issued them
#: (issuer.service ``RENEWAL_PACE``: it cannot see that they were all shown), so the wallet does not ask
#: to be refused ``credential_request_denied``; meanwhile a copy is shown again (HAIP 1.0 §4.5).
USED_UP_AFTER = timedelta(hours=24)
#: Seconds one wallet process holds a card's grant while renewing it, so that the page and the terminal
#: do not both send the refresh token (a rotated one sent twice revokes the grant, RFC 9700 §4.14.2).
LEASE_SECONDS = 120

#: Why a card is due for renewal (:func:`why_due`).
ENDING, EXPIRED, USED_UP = "ending", "expired", "used_up"


@dataclass(frozen=True, slots=True)
class RenewalForm:
    """One form of the card (a credential configuration of the issuer, §12.2.4) and what its key
    proofs need: the ``key_attestations_required`` of ``jwt`` proofs, and the levels an ``attestation``
    proof (App. F.3) must reach when the issuer takes that proof type."""

    configuration_id: str
    format: str
    vct: str
    key_attestations_required: dict[str, tuple[str, ...]] | None = None
    attestation_proof_levels: dict[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class RenewalGrant:
    """What renews one card's copies (module docstring). ``next_try``: no automatic renewal before
    (ISO 8601 UTC); ``last_error``: why the last one did not renew them; ``lease_until`` and
    ``lease_holder``: which wallet process is renewing now (:data:`LEASE_SECONDS`)."""

    issuer_url: str  # credential_issuer
    token_endpoint: str
    credential_endpoint: str
    nonce_endpoint: str | None
    notification_endpoint: str | None
    as_issuer: str  # the audience of a client attestation PoP
    token_auth_methods: tuple[str, ...]
    challenge_endpoint: str | None
    batch_size: int
    refresh_token: str
    dpop_key: str  # PKCS#8 PEM of the key the grant is bound to (RFC 9449 §5)
    forms: tuple[RenewalForm, ...]
    granted_at: str  # ISO 8601 UTC
    next_try: str | None = None
    last_error: str = ""
    lease_until: str | None = None
    lease_holder: str | None = None
    #: RFC 7009 §2 (RFC 8414 §2 ``revocation_endpoint``): where the wallet ends the grant when the card is
    #: deleted; None for an issuer without one, or a grant kept before the wallet stored it.
    revocation_endpoint: str | None = None
    #: Review J, M1: the copies' end (``exp``, seconds) at which the last renewal left them still
    #: :data:`ENDING` (the institution signs under the same certificate), and the signer keys the
    #: issuer published then (:func:`published_signers`): not renewed by themselves again at that end
    #: until the issuer publishes another set (:func:`due`).
    stalled_end: int | None = None
    stalled_signers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RenewalGrant:
        """The typed view of a stored grant; MalformedError when it is not one (a damaged store)."""
        try:
            values = {k: v for k, v in dict(data).items() if k in cls.__dataclass_fields__}
            values["token_auth_methods"] = tuple(values.get("token_auth_methods", ()))
            values["stalled_signers"] = tuple(str(k) for k in values.get("stalled_signers", ()))
            values["forms"] = tuple(RenewalForm(
                configuration_id=f["configuration_id"], format=f["format"], vct=f["vct"],
                key_attestations_required=_levels(f.get("key_attestations_required")),
                attestation_proof_levels=_levels(f.get("attestation_proof_levels"))) for f in values["forms"])
            grant = cls(**values)
        except (TypeError, KeyError, AttributeError) as exc:
            raise MalformedError("the renewal of a document in this wallet is damaged") from exc
        if not grant.forms or not grant.refresh_token or not grant.dpop_key:
            raise MalformedError("the renewal of a document in this wallet is damaged")
        return grant

    def leased(self, now: datetime) -> bool:
        """Whether another wallet process is renewing the card right now (its lease has not passed)."""
        return self.lease_until is not None and _at(self.lease_until) > now

    def waiting(self, now: datetime) -> bool:
        """Whether an automatic renewal waits (:data:`RETRY_AFTER` after the last that did not help)."""
        return self.next_try is not None and _at(self.next_try) > now

    def after(self, now: datetime, *, error: str = "", wait: bool = True) -> RenewalGrant:
        """Tried at ``now``: unleased, with ``error`` (why it did not renew), and the next automatic
        try a day later (``wait``) or whenever due."""
        return replace(self, next_try=(now + RETRY_AFTER).isoformat() if wait else None, last_error=error[:200],
                       lease_until=None, lease_holder=None)

    def not_due_until(self, now: datetime, description: str = "", *, at: datetime | None = None,
                      copies: Sequence[StoredCredential] = ()) -> RenewalGrant:
        """Refused by the issuer as "not due" (its ``credential_request_denied`` naming when the copies
        are renewed: ``at``, :func:`not_due_from`; else read from its ``description``, :func:`renewed_from`):
        no automatic try before then (at least :data:`RETRY_AFTER`), nor after the end of the card's
        ``copies`` (:func:`copies_last_end`), nor more than :data:`NOT_DUE_MAX` ahead: the issuer's word
        alone does not stop the card's renewals for good (review R3, 4)."""
        at = at if at is not None else renewed_from(description)
        if at is None:
            return self
        at = min(at, now + NOT_DUE_MAX)
        ends = copies_last_end(copies)
        if ends is not None:
            at = min(at, ends)
        if at <= now + RETRY_AFTER:
            return self
        return replace(self, next_try=at.isoformat())

    def stalled_at(self, copies_end: int | None) -> bool:
        """Whether the last renewal left the copies ending at ``copies_end`` (:attr:`stalled_end`)."""
        return self.stalled_end is not None and copies_end is not None and copies_end <= self.stalled_end


#: How the issuer says when copies it refused as not due are renewed (issuer.service
#: ``IssuerService._renewal_refused``: "... they are renewed from 2026-12-01 06:49 UTC, ..."), in the words
#: of an issuer from before it sent the member ``renewal_from`` (:func:`not_due_from`).
_RENEWED_FROM = re.compile(r"renewed from (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")
#: The error response member naming that time (issuer.service.RenewalNotDue): a NumericDate (RFC 7519 §2).
RENEWAL_FROM = "renewal_from"
#: The longest an issuer's "not due" holds the card's automatic renewals back (review R3, 4): its grant
#: lives at most five years (issuer.service ``_RENEWAL_MAX``, the document's end), so a later date is no
#: renewal date (a bug, a value in milliseconds, a hostile issuer).
NOT_DUE_MAX = timedelta(days=5 * 366)


def copies_last_end(copies: Sequence[StoredCredential]) -> datetime | None:
    """When the last of a card's ``copies`` ends (the latest technical expiry, passed or not), or None when
    one has none (or there are none). Unlike :func:`wallet.core.copies_end`, also once they have all ended."""
    ends = [c.exp for c in copies]
    if not ends or any(end is None for end in ends):
        return None
    return datetime.fromtimestamp(max(end for end in ends if end is not None), UTC)


def not_due_credible(at: datetime, copies: Sequence[StoredCredential]) -> bool:
    """Whether an issuer's "not due before ``at``" (:func:`not_due_from`) can be a renewal date of the card's
    ``copies``: one before they have all ended (the issuer renews copies ending within its notice, or ended:
    issuer.service ``_renewal_refused``). Else the wallet does not wait for it, and does not tell the worker
    that the copies held can still be shown meanwhile (review R3, 4)."""
    ends = copies_last_end(copies)
    return ends is None or at < ends


def not_due_from(error: ProtocolError) -> datetime | None:
    """When the issuer will renew copies it refused as not due (review J, M1; OpenID4VCI 1.0 §8.3.1.2
    ``credential_request_denied``), or None for any other error.

    The issuer's member :data:`RENEWAL_FROM` first (RFC 6749 §5.2 allows members beside ``error`` and
    ``error_description``; :class:`wallet.http.ErrorResponse` carries it): a NumericDate, whole seconds
    since the epoch in UTC. A value that is not one (a text, a fraction, a boolean, out of the calendar's
    range) is not taken; then, and for an issuer that does not send it, the English words of its
    ``error_description`` (:func:`renewed_from`)."""
    if error.error != "credential_request_denied":
        return None
    members = getattr(error, "members", None)
    value = members.get(RENEWAL_FROM) if isinstance(members, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass  # beyond the calendar: the words, if they say
    return renewed_from(error.message)


def renewed_from(description: str) -> datetime | None:
    """When the issuer will renew copies it refused as not due (review J, M1), from the English words
    of its error description (an issuer without the member, :func:`not_due_from`); None when they do
    not say (another refusal: a suspended document)."""
    found = _RENEWED_FROM.search(description)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def published_signers(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """The signer keys an issuer publishes (SD-JWT VC §5 JWT VC Issuer Metadata ``jwks``), each by its
    ``kid`` and first ``x5c`` certificate, sorted: what tells the wallet that the institution signs
    under another certificate (a later end) since copies last stalled. Empty when none is readable."""
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    found: set[str] = set()
    for key in keys if isinstance(keys, list) else ():
        if not isinstance(key, Mapping):
            continue
        x5c = key.get("x5c")
        leaf = x5c[0] if isinstance(x5c, list) and x5c and isinstance(x5c[0], str) else ""
        found.add(f"{key.get('kid', '')}:{leaf}")
    return tuple(sorted(found))


def _levels(value: Any) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return None
    return {str(name): tuple(str(v) for v in values) for name, values in dict(value).items()}


def _at(iso: str) -> datetime:
    try:
        at = datetime.fromisoformat(iso)
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    except (ValueError, TypeError):
        return datetime.min.replace(tzinfo=UTC)  # damaged: no lease, no wait


def why_due(copies: Sequence[StoredCredential], now: datetime, today: date, *, notice: timedelta) -> str | None:
    """Why a card's ``copies`` should be renewed at ``now`` (``today``: the worker's date), or None.

    * :data:`EXPIRED`: every copy has passed its technical expiry (:func:`wallet.core.copies_expired`)
      while the document has not ended by its own dates;
    * :data:`ENDING`: the live copies end (:func:`wallet.core.copies_end`) within ``notice`` and on a
      day before the document's own last one (the issuer ends a copy at that day's end anywhere on
      earth, the next day in UTC: a copy ending then ends with its document, and no renewal helps);
    * :data:`USED_UP`: every copy of a form has been presented (HAIP 1.0 §4.5: a copy shown twice
      links the two showings), issued :data:`USED_UP_AFTER` ago or more (the issuer's pace).

    Never for a document whose own last day has passed: an expired card needs a new card, not new
    copies, and an A1 (or PRC) whose period has ended is the proof of that period as it is (the
    issuer refuses to renew either: its grant ends with the document)."""
    if not copies:
        return None
    claims = core.document_claims(copies[0])
    if core.document_period(claims, today) == "ended":
        return None
    if core.copies_expired(copies, now) is not None:
        return EXPIRED
    _first, last_day = core.document_dates(claims)
    ends = core.copies_end(copies, now)
    if ends is not None and ends - now.timestamp() <= notice.total_seconds():
        end_day = datetime.fromtimestamp(ends, UTC).astimezone().date()
        if last_day is None or end_day < last_day:
            return ENDING
    forms: dict[str, list[StoredCredential]] = {}
    for copy in copies:
        forms.setdefault(copy.format, []).append(copy)
    paced = now.timestamp() - USED_UP_AFTER.total_seconds()
    if any(all(c.used > 0 for c in held) and max(c.iat for c in held) <= paced for held in forms.values()):
        return USED_UP
    return None


def ends_sooner(held: Sequence[StoredCredential], new: Sequence[StoredCredential], now: datetime) -> bool:
    """Whether renewed copies of one form (``new``) should leave those ``held`` in place (review J, L4):
    they end before the held ones do (:func:`wallet.core.copies_end`; a misbehaving issuer, a newer but
    shorter certificate) while a held copy is live and unused. Used up (HAIP 1.0 §4.5), or ended, the
    held ones give way to any renewal."""
    held_end, new_end = core.copies_end(held, now), core.copies_end(new, now)
    if held_end is None or new_end is None or new_end >= held_end:
        return False
    return any(c.used == 0 and (c.exp is None or c.exp > now.timestamp()) for c in held)


def due(grant: RenewalGrant | None, copies: Sequence[StoredCredential], now: datetime, today: date, *,
        notice: timedelta, force: bool = False, published: Sequence[str] | None = None) -> str | None:
    """:func:`why_due`, for an automatic renewal: only with a grant, not leased by another process, and
    not within :data:`RETRY_AFTER` of one that did not help (unless ``force``: the worker asked).

    Copies :data:`ENDING` where the last renewal left them (:meth:`RenewalGrant.stalled_at`) are not
    renewed again, ``force`` or not, until the issuer publishes other signer keys than it did then
    (``published``, :func:`published_signers`; None: not known, as good as unchanged): the institution
    still signs under the same certificate, and new copies would end the same day (review J, M1)."""
    if grant is None or grant.leased(now) or (grant.waiting(now) and not force):
        return None
    why = why_due(copies, now, today, notice=notice)
    if why == ENDING and grant.stalled_at(core.copies_end(copies, now)) and (
            published is None or tuple(sorted(published)) == grant.stalled_signers):
        return None
    return why
