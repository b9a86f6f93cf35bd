"""The wallet's actions, shared by the CLI and the local web pages.

:class:`WalletService` binds an unlocked :class:`~wallet.store.WalletStore` to an HTTP client,
the trust registry's lists and a clock. Every action reads or changes the store in one
transaction; nothing personal is logged (the worker's own presentation log lives encrypted in
the store).

Receive: offer → metadata → (tx_code) → token → nonce → one key per copy → credential(s) →
verify each (issuer signature, x5c chain to a CA on the issuers list, the issuer authorised for
the vct at issuance, the vct offered, ``cnf.jwk`` = the key we generated; its offline QR form says
what it says, :func:`core.check_compact`) → the copies of each batch carry one document
(:func:`core.same_document`) → the SD-JWT VC and ISO mdoc forms of each document agree
(:func:`core.same_forms`); where any of these three does not hold, nothing of the offer is kept
(:class:`~wallet.errors.OfferDisagreesError`) → store → status of the older documents it may
replace (best effort). A document the institution defers (OpenID4VCI §8.3 HTTP 202, e.g. until a
second clerk approves it) is kept as a pending issuance (:mod:`wallet.deferred`) and fetched later
(:meth:`WalletService.fetch_pending`, §9), through the same receipt checks (:meth:`WalletService._receipt`),
unless the worker removes it first (:meth:`WalletService.cancel_pending`). The grant the issuer
gives with a DPoP-bound token (its refresh token and the DPoP key) is kept per card, and renews its
copies without a new offer (HAIP 1.0 §4; :mod:`wallet.renewal`): refresh → nonce → new keys →
credentials → the same receipt checks → the card's copies replaced (:meth:`WalletService.renew`,
:meth:`WalletService.renew_due` when they come close to their end).
Present: request link → signed Request Object → verifier checked against the verifiers list and
what it may ask → status of the held documents of the requested types (best effort) → DCQL
matched, a usable current document before a past one, the newest first (an EHIC: the card of the PID's person,
else the holder's own before a child's), every other document answering a query offered to choose instead
(:meth:`WalletService.choose`, ``present --choose``) → consent (who, purpose, exactly the
claims that leave, which of them the worker may leave out (the request's smaller claim sets; never one
in plain view, which leaves anyway: :func:`core.always_sent`), and a
warning for a document withdrawn, suspended, ended or not yet valid: :attr:`Card.warning`; one whose
copies all expired is listed as held but not shown, and whom to ask for a new copy) → SD-JWT+KB
per credential (nonce and full client_id) → direct_post(.jwt),
or an error response (OpenID4VP 1.0 §8.5): ``access_denied`` on refusal or when nothing held
answers, ``vp_formats_not_supported`` when the request asks only for formats this wallet does not
present, and the request's own error (``invalid_request``, ``invalid_transaction_data``) when an
authenticated verifier sent a request the wallet cannot process (:class:`RequestRejected`).
Offline QR: signed and counted only when the worker asks (:meth:`WalletService.show_offline_qr`, one
:class:`Showing`), never by viewing a card. Open offers, requests and showings wait in
:class:`OpenItems`, which the page server shares between sessions (a lock loses none of them).
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx

from credentials import sd_jwt
from credentials.errors import (
    CredentialError,
    IssuerKeyError,
    IssuerTrustError,
    KeyBindingError,
    MalformedError,
    ProtocolError,
)
from credentials.openid4vp import RequestRejected, error_response_form
from wallet import core, messages, renewal, revocation
from wallet.deferred import ENTRY_SECONDS, LEASE_SECONDS, Arrived, PendingIssuance, Transaction, due
from wallet.errors import (
    NoRenewalError,
    NotAnsweredError,
    NotFoundError,
    OfferDisagreesError,
    PendingBusyError,
    RenewalDiffersError,
    TransportError,
    WalletLockedError,
    WithheldError,
)
from wallet.http import MAX_RESPONSE_SECONDS, check_url
from wallet.keys import key_to_pem, load_key, thumbprint
from wallet.model import LogEntry, StatusCheck, StoredCredential
from wallet.present_client import VP_SCHEMES, WALLET_METADATA, fetch_request_object, parse_request_link, post_response
from wallet.provider import WalletProvider
from wallet.receive import (
    OFFER_SCHEMES,
    AuthorizedCode,
    DeferredCredentials,
    DpopSession,
    IssuedCredentials,
    MalformedTokenAnswer,
    OfferedCredential,
    PendingAuthorization,
    ResolvedOffer,
    issuer_signers,
    notify,
    obtain_credentials,
    obtain_renewed,
    poll_deferred,
    push_authorization,
    refresh_access,
    refresh_grant,
    resolve_offer,
    revoke_grant,
    send_notification,
)
from wallet.renewal import RenewalForm, RenewalGrant
from wallet.revocation import PendingRevocation
from wallet.settings import WalletSettings
from wallet.store import WalletStore

__all__ = ["Card", "ConsentChoice", "ConsentClaim", "ConsentItem", "ConsentRequest", "OpenItems", "PendingOutcome",
           "PendingView", "PresentOutcome", "Received", "RenewalOutcome", "Showing", "WalletService",
           "code_may_be_retried", "covers_a_period", "link_kind", "logged_claims", "offered_names", "past_words",
           "renewal_words", "standing_words", "warning_words"]

Clock = Callable[[], datetime]
#: How many removed pending entries the store remembers (:meth:`WalletService.cancel_pending`).
_REMOVED_KEPT = 50
_T = TypeVar("_T")

_log = logging.getLogger("esspass.wallet")
#: Longest the wallet waits for an issuer's published signer keys (a card page waits on it).
_SIGNERS_SECONDS = 5.0
#: Longest the wallet spends telling an institution that the grant of a deleted card is over (RFC 7009).
REVOKE_SECONDS = 10.0


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def link_kind(link: str) -> str | None:
    """What a scanned or pasted link is by its scheme: ``"offer"`` (OpenID4VCI §4.1.1,
    ``openid-credential-offer://``), ``"request"`` (OpenID4VP §13.1, ``openid4vp://``), else None.
    The worker who scans the inspector's QR code under "Add" (or an institution's under "Show") is
    taken where that link belongs: nothing is received or shared without the next page's own step."""
    scheme, sep, _rest = link.strip().partition(":")
    if not sep:
        return None
    scheme = scheme.lower()
    return "offer" if scheme in OFFER_SCHEMES else "request" if scheme in VP_SCHEMES else None


#: An institution's answer to a wrong one-time code that leaves tries (issuer.service: "(4 attempts left)").
_CODE_TRIES_LEFT = re.compile(r"wrong transaction code \(\d+ attempts? left\)")


def code_may_be_retried(message: str) -> bool:
    """Whether a refused one-time code may be typed again on the same offer: only when the institution
    said it was wrong and tries are left. Any other ``invalid_grant`` (RFC 6749 §5.2: the grant is
    invalid, expired or revoked; the offer locked after too many wrong codes) ends the offer."""
    return _CODE_TRIES_LEFT.search(message) is not None


def offered_names(offer: ResolvedOffer, lang: str) -> list[str]:
    """What an offer brings, as the worker reads it: each document once, in the offer's order. An
    institution offers one document in several forms (SD-JWT VC and ISO mdoc: ``pda1`` and
    ``pda1_mdoc``), each with the document's own name; the worker receives one card."""
    return list(dict.fromkeys(item.name(lang) for item in offer.offered))


#: Offline QR fields (:data:`credentials.compact.FIELDS`) that hold part of a claim, as that claim.
_OFFLINE_FIELDS: dict[str, core.ClaimPath] = {"employer_name": ("employer",), "employer_id": ("employer",),
                                              "institution_id": ("authentic_source",),
                                              "institution_name": ("authentic_source",)}


def logged_claims(entry: LogEntry, lang: str) -> list[str]:
    """The claims a line of the worker's record names, in words and each once: each by its label in
    the first of the line's document types that labels it (an offline QR's holder name and birth
    date as the PID labels them), in the order shown."""
    from credentials import pid

    types = [*entry.vcts, pid.VCT]
    a1 = any(_is_a1(vct) for vct in entry.vcts)
    words: list[str] = []
    for text in entry.claims:
        path = _OFFLINE_FIELDS.get(text) or tuple(None if p == "*" else int(p) if p.isdigit() else p
                                                  for p in text.split("."))
        if a1 and path == _STATUS_CONFIRMATION:  # as the card and the consent screen name it (_claim_rows)
            words.append(messages.t("claim.status_confirmation", lang))
            continue
        plain = core.path_text(path).replace("_", " ")
        labels = [core.claim_label(vct, path, lang) for vct in types]
        words.append(next((label for label in labels if label != plain), plain))
    return list(dict.fromkeys(words))


def _status_code_meaning(code: str, lang: str) -> str:
    """An A1's ``status_confirmation`` code (DC4EU section 3) as words in ``lang``, the code beside
    them: ``posted employed person (01)``; an unknown code as it is."""
    from credentials import i18n, pda1

    words = pda1.STATUS_CODES.get(code)
    if words is None:
        return code
    return f"{words[i18n.LANGUAGES.index(lang) if lang in i18n.LANGUAGES else 0]} ({code})"


def _is_a1(vct: str) -> bool:
    from credentials import pda1

    return vct == pda1.VCT or vct in pda1.ALIASES


#: An A1's ``status_confirmation``, by the claim name the worker reads it under.
_STATUS_CONFIRMATION = ("status_confirmation",)

#: What leaving a claim out means for the worker, by the claim's name as read (an mdoc's PID
#: ``portrait`` is the SD-JWT VC's ``picture``; an A1's places of work in its three shapes).
_WITHOUT = {"picture": "portrait", "portrait": "portrait", "work_address": "places", "work_information": "places",
              "places_of_work": "places", "date_of_expiry": "expiry"}


def retention_words(verifier: str, client_metadata: Mapping[str, Any], lang: str) -> tuple[str, ...]:
    """How long ``verifier`` keeps the check, in words, from its request's ``client_metadata``
    ``retention`` (:data:`credentials.openid4vp.RETENTION`: ``records_days``, 0 for no end, and
    ``personal_data_seconds`` after the result is shown); nothing when the request says nothing
    (another verifier's), or says it in a shape the wallet does not read. Said as the verifier's
    statement: any registered verifier may put what it likes there, the wallet cannot know it holds."""
    from credentials.openid4vp import RETENTION

    said = client_metadata.get(RETENTION)
    if not isinstance(said, Mapping):
        return ()
    words: list[str] = []
    days, seconds = said.get("records_days"), said.get("personal_data_seconds")
    if isinstance(days, int) and not isinstance(days, bool) and days >= 0:
        key = "consent.retention" if days else "consent.retention_forever"
        words.append(messages.t(key, lang, verifier=verifier, days=days))
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds >= 0:
        words.append(messages.t("consent.retention_person_for", lang, verifier=verifier,
                                minutes=max(1, -(-seconds // 60)))
                     if seconds else messages.t("consent.retention_person", lang, verifier=verifier))
    return tuple(words)


def registered_policy_uri(verifiers: Any, verifier_id: str) -> str | None:
    """The privacy notice address of the verifier ``verifier_id`` as the signed verifiers list registers
    it (``policy_uri``, GDPR Art. 13), checked again before the worker is sent there
    (:func:`credentials.trust_list.check_policy_uri`); None when it has none. Never the request's own
    ``client_metadata.policy_uri`` (RFC 7591 §2): a request says what it likes, and the wallet would
    send the worker wherever a verifier chose, under the name of the verifier the list vouches for."""
    from credentials import trust_list

    entity = verifiers.entity(verifier_id)  # the credentials.trust_list.TrustList the request was checked with
    uri = entity.policy_uri if entity is not None else None
    try:
        return trust_list.check_policy_uri(uri) if uri is not None else None
    except MalformedError:
        return None


def _if_left_out(cred: StoredCredential, path: core.ClaimPath, lang: str) -> str:
    """Beside a claim the worker may untick on the consent screen: what leaving it out means ("Leaving
    out your photo: the inspector will ask for an identity document..."; GDPR Art. 12(1): the choice
    in plain words). The verifier asks it first for its purpose (Art. 25(1) is its duty): the wallet
    ticks it, and says what the answer without it costs the worker."""
    readable = core.readable_path(cred, path[1:] if cred.format == "mso_mdoc" else path)
    name = readable[0] if readable else None
    return messages.t(f"consent.without.{_WITHOUT.get(name, 'other') if isinstance(name, str) else 'other'}", lang)


def _claim_rows(cred: StoredCredential, lang: str) -> list[tuple[str, str]]:
    """The card's claim rows, an A1's status confirmation in words under a label of its own: its type
    metadata labels it "Status", the word the card uses for whether the issuer withdrew the document; its
    section 4 an entry a row, "Employer" or "Self-employed activity" as the paper A1 says it."""
    claims = core.readable_claims(cred)
    rows = core.claim_rows(cred.vct, claims, lang)
    code = claims.get("status_confirmation")
    if not _is_a1(cred.vct) or not isinstance(code, str):
        return rows
    shown = (core.claim_label(cred.vct, _STATUS_CONFIRMATION, lang), code)
    rows = [(messages.t("claim.status_confirmation", lang), _status_code_meaning(code, lang)) if row == shown else row
            for row in rows]
    # Section 4 an entry a row, labelled as the paper A1 labels it (pda1.employer_text): a self-employed
    # person's own activity (type 02, or an untyped entry under status 03, 04) is no "Employer".
    from credentials import pda1

    texts = [pda1.employer_text(e, lang, code).partition(": ") for e in pda1.employers(claims)]
    employer = core.claim_label(cred.vct, ("employer",), lang)
    return [new for row in rows for new in ([(t[0], t[2]) for t in texts] if texts and row[0] == employer else [row])]


@dataclass(frozen=True, slots=True)
class Card:
    """One credential as the worker sees it (all copies of a batch are one card)."""

    group: str
    vct: str
    title: str
    description: str
    issuer_name: str
    issuer_id: str
    received_at: str
    exp: int | None
    copies: int
    unused: int
    status: StatusCheck | None
    claims: tuple[tuple[str, str], ...]  # (label, value) in display order
    offline: bool = False  # has an offline QR form (issue #7)
    #: The document's own first and last day (ISO dates, :func:`core.document_dates`), if it says.
    valid_from: str | None = None
    valid_until: str | None = None
    #: ``current``, ``ended`` (its last day has passed) or ``not_yet`` (its first day is ahead), by the
    #: worker's date (:func:`core.document_period`), whatever its status list says; ``copy_expired``
    #: when it has not ended but every copy of it has passed its technical expiry
    #: (:func:`core.copies_expired`: ended with the issuer's signer certificate), so that no copy can
    #: be shown and the institution is to be asked for a new one.
    period: str = "current"
    #: With ``copy_expired``: the day (ISO date, the worker's calendar) the last of its copies expired.
    copy_expired_on: str | None = None
    #: A current document whose live copies end before its own last day (with the issuer's signer
    #: certificate, :func:`core.copies_end`): the day (ISO date) they end, for the worker to ask for
    #: a new copy ahead of time; else None.
    copies_end_on: str | None = None
    #: When the issuer signed its copies (the newest ``iat``): which document of a kind is the newest.
    iat: int = 0
    #: The document's own date of issue (ISO date; its ``date_of_issuance``), else the day the wallet received it.
    issued_on: str | None = None
    #: Of a replaced document (:attr:`past`): the date of issue of the newer one of its institution that
    #: the wallet holds (:meth:`WalletService._related`); None when it holds none.
    replaced_on: str | None = None
    #: The current documents of the same type (:attr:`past` None), led by the one the wallet presents
    #: (usable, then the newest, as :func:`core.match` prefers): whom to show an inspector.
    current: tuple[str, ...] = ()
    #: How many past documents of the same type the wallet holds.
    earlier: int = 0
    #: Of a represented person's EHIC (a child's card, Decision S1: its ``subject``), whose card it is in
    #: words ("Card of Līga Bērziņa", :func:`core.whose_card`); None for the worker's own documents.
    person: str | None = None
    #: Shown to be another person's than the PID the wallet holds (:func:`core.other_persons`): an inspector
    #: checking it with that PID would read "not the same person".
    other_person: bool = False
    #: Of a document shown to be another person's (:attr:`other_person`): whom it names as its holder, in
    #: words ("This document names Tobias Krause", :func:`core.holder_named`); None otherwise.
    other_named: str | None = None

    @property
    def past(self) -> str | None:
        """Whether this is a past document, one the worker keeps for their records and no longer shows
        as proof for today: ``replaced`` by a newer one of its institution (status REPLACED),
        ``invalid`` (withdrawn by it), or ``ended`` (its own last day has passed); else None. Suspended
        (may be lifted), not valid yet, or with expired copies of a current document, it is not past."""
        if self.status is not None and self.status.value in ("replaced", "invalid"):
            return self.status.value
        return "ended" if self.period == "ended" else None

    @property
    def warning(self) -> str | None:
        """Why this document would not pass an inspection as valid, which the worker is told before
        it leaves (consent, offline QR): ``invalid`` (withdrawn), ``replaced`` (by a newer document),
        ``stopped`` (its copies on this phone, which was reported lost or stolen: the document itself is
        not past, it is on the worker's other phone), ``distrusted`` (the trust list refuses the key its
        copies were signed with: a new copy is needed) or ``suspended`` by its issuer, as
        last recorded; else ``other_person`` (:attr:`other_person`); else ``ended`` or ``not_yet`` by its
        own dates, or ``copy_expired`` (its copies, not the document, expired); None when nothing is known
        against it."""
        if self.status is not None and self.status.value in ("invalid", "replaced", "stopped", "distrusted",
                                                             "suspended"):
            return self.status.value
        if self.other_person:
            return "other_person"
        return None if self.period == "current" else self.period


def warning_words(card: Card, lang: str) -> str:
    """The warning the worker reads before showing ``card`` (:attr:`Card.warning`), or ''."""
    from credentials.i18n import format_date

    warning = card.warning
    if warning is None:
        return ""
    if warning == "copy_expired":
        return _copy_expired_words(card, lang, "consent.warn_copy_expired")
    if warning == "ended" and covers_a_period(card):
        return _period_words(card, lang, "consent.warn_period_ended")
    day = card.valid_until if warning == "ended" else card.valid_from
    return messages.t(f"consent.warn_{warning}", lang, date=format_date(day, lang) if day else "?",
                      institution=card.issuer_name)


def standing_words(card: Card, lang: str) -> str:
    """Where ``card`` stands, in one phrase for the lists: withdrawn or suspended by its issuer, else
    ended or not yet begun by its own dates, or its copies expired while it is still valid (and whom
    to ask for a new one), else what its status list last said."""
    from credentials.i18n import format_date

    warning = card.warning
    if warning == "other_person":
        return messages.t("state.other_person", lang)
    if warning == "copy_expired":
        return _copy_expired_words(card, lang, "state.copy_expired")
    if warning == "ended" and covers_a_period(card):
        return _period_words(card, lang, "state.period_ended")
    if warning in ("ended", "not_yet"):
        day = card.valid_until if warning == "ended" else card.valid_from
        return messages.t(f"state.{warning}", lang, date=format_date(day, lang) if day else "?")
    return messages.t(f"status.{card.status.value}" if card.status is not None else "status.unknown", lang)


def past_words(card: Card, lang: str) -> str:
    """A past document (:attr:`Card.past`) in the past tense, in place of its description, which says what
    applies now ("... applies to you", "You are covered ... until"; of another person's document, to the
    person it names, :attr:`Card.other_person`): replaced on the
    newer one's date of issue, withdrawn by its institution, or ended (a period document still the proof
    of its period, :func:`covers_a_period`); a period document replaced or withdrawn says the period it
    was issued for. '' for a current document."""
    from credentials.i18n import format_date

    past = card.past
    if past is None:
        return ""
    if past == "ended":
        if covers_a_period(card):
            return _period_words(card, lang, "past.period_ended")
        return messages.t("past.ended", lang, date=format_date(card.valid_until, lang) if card.valid_until else "?")
    if past == "replaced":
        said = [messages.t("past.replaced", lang, date=format_date(card.replaced_on, lang)) if card.replaced_on
                else messages.t("past.replaced_undated", lang)]
    else:
        said = [messages.t("past.withdrawn", lang, institution=card.issuer_name)]
    if covers_a_period(card):
        said.append(_period_words(card, lang, "past.issued_for"))
    said.append(messages.t("past.kept", lang))
    return " ".join(said)


def covers_a_period(card: Card) -> bool:
    """Whether ``card``'s document certifies a period of its own, first to last day (an A1, a
    provisional replacement certificate; domain.md "Common block" ``starting_date``, ``ending_date``).
    Once that period has ended it is still the proof of it (987/2009 Art. 5(1): an A1 binds the other
    states' institutions for the period it certifies): "covers ... to ... (ended)", never "no longer
    valid" as an expired card is, nor a copy to renew (:func:`wallet.renewal.why_due`)."""
    return card.valid_from is not None and card.valid_until is not None


def _period_words(card: Card, lang: str, key: str) -> str:
    """``key`` with the period ``card`` covers, first and last day (:func:`covers_a_period`)."""
    from credentials.i18n import format_date

    assert card.valid_from is not None and card.valid_until is not None
    return messages.t(key, lang, start=format_date(card.valid_from, lang), end=format_date(card.valid_until, lang))


def copies_end_words(card: Card, lang: str) -> str:
    """The notice of a current document whose copies end before it does (:attr:`Card.copies_end_on`), or ''."""
    from credentials.i18n import format_date

    if card.copies_end_on is None or card.valid_until is None:
        return ""
    return messages.t("state.copies_end", lang, date=format_date(card.copies_end_on, lang),
                      until=format_date(card.valid_until, lang), institution=card.issuer_name)


def _copy_expired_words(card: Card, lang: str, key: str) -> str:
    """``key`` (a copy expired on its day, the document valid until its last one, the institution to
    ask for a new copy), or its ``_open`` form for a document that states no last day."""
    from credentials.i18n import format_date

    expired = format_date(card.copy_expired_on, lang) if card.copy_expired_on else "?"
    if card.valid_until is None:
        return messages.t(f"{key}_open", lang, date=expired, institution=card.issuer_name)
    return messages.t(key, lang, date=expired, until=format_date(card.valid_until, lang),
                      institution=card.issuer_name)


def _choice_label(card: Card, cred: StoredCredential, lang: str) -> str:
    """One document offered on the consent's choice (:class:`ConsentChoice`), in ``lang``: whose card
    it is (an EHIC, :func:`core.whose_card`), its title and number, its dates (a period, first to last
    day, :func:`covers_a_period`; else its last day), and, of one that would not pass as valid, why
    (:func:`standing_words`: withdrawn, replaced, ended ...)."""
    from credentials.i18n import format_date

    claims = core.readable_claims(cred)
    number = core.document_claims(cred).get("document_number")
    named = f"{card.title} {number}" if isinstance(number, str) and number else card.title
    if covers_a_period(card):
        assert card.valid_from is not None and card.valid_until is not None
        dates = f"{format_date(card.valid_from, lang)} – {format_date(card.valid_until, lang)}"
    elif card.valid_until is not None:
        dates = f"{messages.t('card.valid_until', lang)} {format_date(card.valid_until, lang)}"
    else:
        dates = ""
    standing = standing_words(card, lang) if card.warning is not None or card.past is not None else ""
    if standing and card.warning == "ended" and covers_a_period(card):
        dates = ""  # "Covers ... to ... (ended)" says them
    return " · ".join(p for p in (core.whose_card(cred.vct, claims, lang), named, dates, standing) if p)


def _issued_on(claims: Mapping[str, Any]) -> str | None:
    """A document's own date of issue (an A1's or EHIC's ``date_of_issuance``, a PID's ``issuance_date``:
    domain.md), as an ISO date; None when it states none that is a date."""
    for name in ("date_of_issuance", "issuance_date"):
        value = claims.get(name)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                continue
    return None


@dataclass(frozen=True, slots=True)
class ConsentClaim:
    path: tuple[str | int | None, ...]
    label: str
    value: str
    #: In the verifier's first option the document satisfies (sent, ticked) but not in every option it
    #: answers (DCQL ``claim_sets``, OpenID4VP §6.4.1), and held back when left out (never a claim the
    #: issuer put in plain view, nor one whose Disclosure goes with a claim every option asks): the
    #: worker may untick it, and the wallet then answers the first later option without it.
    optional: bool = False
    #: For a claim the worker may untick, what leaving it out means (:func:`_if_left_out`), in their language.
    left_out: str = ""


@dataclass(frozen=True, slots=True)
class ConsentItem:
    query_id: str
    group: str
    title: str
    claims: tuple[ConsentClaim, ...]  # selectively disclosed because the verifier asked
    always: tuple[ConsentClaim, ...] = ()  # visible in every presentation of this document
    #: :attr:`Card.warning` of the document (withdrawn, suspended, ended, not yet valid), and in words.
    warning: str | None = None
    notice: str = ""


@dataclass(frozen=True, slots=True)
class ConsentChoice:
    """One of the documents answering a credential query (OpenID4VP 1.0 §6.4: the wallet chooses among
    them), as the consent screen offers it: whose it is, its title, number and dates, and why it would
    not pass as valid (:func:`_choice_label`)."""

    group: str
    label: str
    #: The one the answer sends (the wallet's default, :func:`core.choices`, until the worker picks another).
    chosen: bool = False
    #: :attr:`Card.past` of the document (``replaced``, ``invalid``, ``ended``): never the default.
    past: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A verified presentation request waiting for the worker's decision."""

    id: str
    verifier_id: str
    verifier_name: str
    verifier_country: str
    client_id: str
    purpose: str
    items: tuple[ConsentItem, ...]
    satisfiable: bool
    request: core.VerifiedRequest
    created: float
    #: query id -> (the credential chosen, the claim paths that will be disclosed); the credential
    #: without its key and text (the copy is read from the store when the worker agrees)
    selection: dict[str, tuple[StoredCredential, tuple[core.ClaimPath, ...]]]
    #: query id -> every option the chosen credential answers, the chosen one first (:func:`core.claim_options`)
    options: dict[str, tuple[tuple[core.ClaimPath, ...], ...]] = field(default_factory=dict)
    #: Documents of a requested type the wallet holds but cannot show, their validity over or their copies
    #: expired (:func:`standing_words`: then whom to ask for a new copy).
    ended: tuple[str, ...] = ()
    #: The names of the document types asked for of which the wallet holds none at all (when the request
    #: cannot be answered): what the worker would have to ask an institution for.
    missing: tuple[str, ...] = ()
    lang: str = "en"
    #: How long the verifier keeps the check, as its request says (:func:`retention_words`; GDPR Art. 13(2)(a)).
    retention: tuple[str, ...] = ()
    #: Where the verifier's privacy notice is, as its registration on the verifiers list says
    #: (:func:`registered_policy_uri`; GDPR Art. 13); None when it names none.
    policy_uri: str | None = None
    #: query id -> the documents answering it, the one sent marked (:meth:`WalletService.choose`); the
    #: screen offers the choice where there are several.
    choices: dict[str, tuple[ConsentChoice, ...]] = field(default_factory=dict)
    #: query id -> each of those documents (without its key and text) and the claim paths of the first
    #: option it answers, in the order of :attr:`choices` (:func:`core.choices`).
    alternatives: dict[str, tuple[tuple[StoredCredential, tuple[core.ClaimPath, ...]], ...]] = field(
        default_factory=dict)

    @property
    def choosing(self) -> bool:
        """Whether the worker may leave something out (a claim is :attr:`ConsentClaim.optional`): the
        screen ticks it (the verifier's first option, §6.4.1) and lets the worker untick it."""
        return any(c.optional for item in self.items for c in item.claims)

    @property
    def optional_claims(self) -> tuple[tuple[str, core.ClaimPath], ...]:
        """Every claim listed that the worker may leave out (query id, claim path): withheld all
        (``present --only-required``), :meth:`WalletService.share` answers each document's smallest
        option the verifier accepts; by default they leave, as the verifier's first option asks."""
        return tuple((item.query_id, c.path) for item in self.items for c in item.claims if c.optional)


@dataclass(frozen=True, slots=True)
class Received:
    """What taking an offer came to: the new card groups, and the pending issuances it left (§8.3)."""

    groups: list[str]
    pending: list[str]


@dataclass(frozen=True, slots=True)
class PendingView:
    """A document the institution has not handed over yet, as the worker sees it."""

    id: str
    issuer_name: str
    titles: tuple[str, ...]
    asked_at: str  # ISO 8601 UTC
    next_poll: str
    last_error: str


@dataclass(frozen=True, slots=True)
class PendingOutcome:
    """What asking about one pending document came to.

    ``outcome``: ``pending`` (still waiting; ``detail`` says why the question could not be answered,
    when it could not), ``received`` (stored: ``groups``; ``detail`` says why part of the offer did
    not come, when it did not: :meth:`WalletService._ask_pending`), ``refused`` (the institution refused it),
    ``gone`` (the issuer no longer knows the request), ``expired`` (access could not be renewed),
    ``failed`` (it came, and failed the receipt checks: ``detail``)."""

    id: str
    outcome: str
    issuer_name: str
    titles: tuple[str, ...]
    groups: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PresentOutcome:
    outcome: str  # "shared" | "declined"
    verifier_name: str
    redirect_uri: str | None
    #: The warnings of the documents shared (:attr:`ConsentItem.notice`): the inspector sees them as not valid.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Showing:
    """One showing of a document's offline QR code (issue #7), begun when the worker asks for it.

    One copy of the batch is counted as used and one line written in the worker's record when it
    begins; renewing the code while it is on screen (its time signature every 30 s, or over the
    inspector's challenge) signs again with the same copy and key, for :data:`_SHOWING` at most:
    the inspector in front of the worker has already seen that copy, so nothing more is linkable."""

    id: str
    group: str
    copy_id: str
    started: datetime
    text: str


class OpenItems:
    """What waits for the worker between two pages: open offers, authorizations at an institution,
    presentation requests awaiting consent, offline QR showings. One per wallet page server, shared
    by the service of every session (:func:`wallet.app.create_app`): a session that ends (locked, or
    left too long) loses none of them, and unlocking leads back to them. Holds no key material:
    what is sent is read from the store when the worker agrees."""

    def __init__(self) -> None:
        self.offers: dict[str, tuple[ResolvedOffer, float]] = {}
        #: state -> (offer id, what the code flow needs back, when): the worker is on the institution's page.
        self.authorizations: dict[str, tuple[str, PendingAuthorization, float]] = {}
        self.requests: dict[str, ConsentRequest] = {}
        self.showings: dict[str, Showing] = {}
        #: Pending revocations (:mod:`wallet.revocation`) being sent by this process now: each once at a time.
        self.revoking: set[str] = set()
        #: request or showing id -> why it was closed before its time (its document removed or renewed),
        #: said when the worker turns to it again; the last :data:`_CLOSED_KEPT`.
        self.closed: dict[str, str] = {}
        self.lock = threading.Lock()


class WalletService:
    def __init__(
        self,
        settings: WalletSettings,
        store: WalletStore,
        *,
        http: httpx.Client,
        trust: core.TrustSource,
        clock: Clock = utcnow,
        provider: WalletProvider | None = None,
        items: OpenItems | None = None,
    ) -> None:
        """``provider`` attests this wallet to issuers; default: the configured one in the PKI directory.
        ``items``: where open offers, requests and showings wait (:class:`OpenItems`); one of its own by default."""
        self.settings = settings
        self.store = store
        self.http = http
        self.trust = trust
        self.clock = clock
        self.provider = provider or WalletProvider.from_pki(settings.pki_path(), settings.provider_id)
        self.items = items if items is not None else OpenItems()
        self._offers = self.items.offers
        self._authorizations = self.items.authorizations
        self._requests = self.items.requests
        self._showings = self.items.showings
        self._closed = self.items.closed
        self._lock = self.items.lock
        self._revoking: list[threading.Thread] = []

    # --- reading -------------------------------------------------------------------------------

    def credentials(self) -> list[StoredCredential]:
        return [StoredCredential.from_dict(c) for c in self.store.read()["credentials"]]

    def cards(self, lang: str) -> list[Card]:
        """Every document held, each kind in the order the wallet first stored one, its current documents
        (in the order stored) before its past ones (:attr:`Card.past`; the newest first)."""
        groups: dict[str, list[StoredCredential]] = {}
        held = self.credentials()
        for cred in held:
            groups.setdefault(cred.group, []).append(cred)
        other = core.other_persons(held)
        cards = self._related([self._card(copies, lang, other=other) for copies in groups.values()], lang)
        kinds = {vct: n for n, vct in reversed(list(enumerate(c.vct for c in cards)))}
        order = {c.group: n for n, c in enumerate(cards)}
        return sorted(cards, key=lambda c: (kinds[c.vct], c.past is not None,
                                            -c.iat if c.past is not None else order[c.group]))

    def card(self, group: str, lang: str) -> Card:
        """One document as :meth:`cards` shows it (what it says of the others of its type too)."""
        found = next((c for c in self.cards(lang) if c.group == group), None)
        if found is None:
            raise NotFoundError("There is no such document in this wallet.")
        return found

    @staticmethod
    def _related(cards: list[Card], lang: str) -> list[Card]:
        """``cards`` with what each says of the others of its type: a past document (:attr:`Card.past`)
        in the past tense (:func:`past_words`), a replaced one with when the newer one of its institution
        was issued (the next issued after it that the wallet holds), and for each which current documents
        of its type there are (:attr:`Card.current`) and how many past ones (:attr:`Card.earlier`)."""
        related: list[Card] = []
        for card in cards:
            same = [c for c in cards if c.vct == card.vct]
            current = sorted((c for c in same if c.past is None), key=lambda c: (c.warning is not None, -c.iat))
            replaced_on = None
            if card.past == "replaced":
                # The one issued after it; else (copies of the old one renewed later, or both signed within
                # the same second) the current one of its institution that took its place.
                newer = [c for c in same if c.issuer_id == card.issuer_id and c.iat > card.iat] or [
                    c for c in same if c.issuer_id == card.issuer_id and c.past is None]
                replaced_on = min(newer, key=lambda c: c.iat).issued_on if newer else None
            related.append(replace(card, replaced_on=replaced_on, current=tuple(c.group for c in current),
                                   earlier=sum(1 for c in same if c.past is not None)))
        return [replace(c, description=past_words(c, lang)) if c.past is not None else c for c in related]

    def offline_qr(self, group: str, challenge: bytes | None = None) -> str:
        """The offline QR text of a PDA1 or EHIC for one showing (:meth:`show_offline_qr`)."""
        return self.show_offline_qr(group, challenge).text

    def show_offline_qr(self, group: str, challenge: bytes | None = None) -> Showing:
        """Begin showing the offline QR code of a PDA1 or EHIC (the worker asked for it), signed now
        or over the inspector's challenge: its least-used copy is counted as used, as for an online
        answer, and the worker's record gets one line saying what the code shows
        (:class:`Showing`). Viewing the card does none of this."""
        held = [c for c in self.credentials() if c.group == group]
        if not held:
            raise NotFoundError("There is no such document in this wallet.")
        copies = sorted((c for c in held if c.extra.get("compact")), key=lambda c: c.used)
        if not copies:
            raise NotFoundError("This document has no offline QR form.")
        copy, now = copies[0], self.clock()
        text = core.offline_qr(copy, now=now, challenge=challenge)
        self._count_use([copy.id])
        self._append_log(LogEntry(time=now.isoformat(), outcome="shown", verifier_id=OFFLINE, verifier_name="",
                                  client_id="", purpose="", credentials=[group], vcts=[copy.vct],
                                  claims=core.offline_fields(copy)))
        showing = Showing(secrets.token_urlsafe(16), group, copy.id, now, text)
        with self._lock:
            for key in [k for k, v in self._showings.items() if now - v.started > _SHOWING]:
                del self._showings[key]
            self._showings[showing.id] = showing
        return showing

    def showing(self, showing_id: str) -> Showing:
        """A showing still on screen (:data:`_SHOWING`), as it began; NotFoundError when it is over."""
        with self._lock:
            showing = self._showings.get(showing_id)
            closed = self._closed.get(showing_id)
        if closed is not None:  # its document was removed or renewed meanwhile (:meth:`_close_open`)
            raise NotFoundError(closed)
        if showing is None or not timedelta(0) <= self.clock() - showing.started <= _SHOWING:
            raise NotFoundError(SHOWING_OVER)
        return showing

    def renew_offline_qr(self, showing_id: str, challenge: bytes | None = None) -> Showing:
        """The code of a showing on screen, signed again now (or over the inspector's challenge) with
        the same copy: neither counted again nor written again (:class:`Showing`). NotFoundError when
        the showing is over (:data:`_SHOWING`) or its document was removed or renewed (the copy is gone)."""
        showing = self.showing(showing_id)
        held = self.credentials()
        copy = next((c for c in held if c.id == showing.copy_id), None)
        if copy is None and any(c.group == showing.group for c in held):  # renewed by another wallet process
            raise NotFoundError(RENEWED_SHOWING)
        if copy is None:
            raise NotFoundError("There is no such document in this wallet.")
        return replace(showing, text=core.offline_qr(copy, now=self.clock(), challenge=challenge))

    def today(self) -> date:
        """The worker's date: the wallet's clock on this computer's calendar (its local time zone)."""
        return self.clock().astimezone().date()

    def verifiers_today(self, country: str) -> date:
        """The date where the verifier is (its state's zone, :func:`credentials.countries.time_zone`), on
        which it judges a document's own dates; the worker's date (:meth:`today`) for a state not known.
        Near midnight the two differ: the warning before sharing says what the inspector will see."""
        from zoneinfo import ZoneInfo

        from credentials import countries

        if not countries.is_supported(country):
            return self.today()
        return self.clock().astimezone(ZoneInfo(countries.time_zone(country))).date()

    def _card(self, held: list[StoredCredential], lang: str, *, other: frozenset[str] = frozenset(),
              today: date | None = None) -> Card:
        """The card of one document's copies ``held``; ``other``: the groups :func:`core.other_persons`
        found to be another person's than the wallet's PID; ``today``: the date its own dates are judged
        on (default the worker's, :meth:`today`)."""
        # The card counts and shows the SD-JWT VC copies; the mdoc copies ride along for verifiers asking for them.
        copies = [c for c in held if c.format == "dc+sd-jwt"] or held
        first = copies[0]
        checks = [c.last_status for c in copies if c.last_status is not None]
        readable = core.document_claims(first)  # an EUDI-model A1's period too, under our names
        valid_from, valid_until = core.document_dates(readable)
        period = core.document_period(readable, today or self.today())
        # Every copy, of either form, past its exp while the document has not ended: its copies ended
        # with the issuer's signer certificate, and none can be shown until a new one comes.
        expired = core.copies_expired(held, self.clock())
        copy_expired_on = None
        if expired is not None and period != "ended":
            period = "copy_expired"
            copy_expired_on = datetime.fromtimestamp(expired, UTC).astimezone().date().isoformat()
        # The issuer ends a copy at the document's last day anywhere on earth (a day later in UTC):
        # only a copy ending before that day is worth a word, and only within the notice window (in
        # which the wallet also renews the copies by itself, wallet.renewal).
        now = self.clock()
        live_end = core.copies_end(held, now)
        if live_end is not None and live_end - now.timestamp() > self._notice().total_seconds():
            live_end = None
        end_day = datetime.fromtimestamp(live_end, UTC).astimezone().date() if live_end is not None else None
        copies_end_on = end_day.isoformat() if (end_day is not None and period == "current" and valid_until
                                                 is not None and end_day < valid_until) else None
        return Card(
            group=first.group,
            vct=first.vct,
            title=core.document_title(first.vct, core.readable_claims(first), lang),
            description=core.describe(first.vct, core.readable_claims(first), lang, other_person=first.group in other),
            issuer_name=first.issuer_name,
            issuer_id=first.issuer_id,
            received_at=first.received_at,
            exp=first.exp,
            copies=len(copies),
            unused=sum(1 for c in copies if c.used == 0),
            status=max(checks, key=lambda s: s.checked_at) if checks else None,
            claims=tuple(_claim_rows(first, lang)),
            offline=any(c.extra.get("compact") for c in copies),
            valid_from=valid_from.isoformat() if valid_from else None,
            valid_until=valid_until.isoformat() if valid_until else None,
            period=period,
            copy_expired_on=copy_expired_on,
            copies_end_on=copies_end_on,
            iat=max(c.iat for c in copies),
            issued_on=_issued_on(readable) or first.received_at[:10],
            person=core.whose_card(first.vct, core.readable_claims(first), lang, represented_only=True),
            other_person=first.group in other,
            other_named=_other_named(first, lang) if first.group in other else None,
        )

    def delete(self, group: str) -> str:
        """Erase every copy of a document from this wallet, with the keys bound to them; returns its
        title in English for the caller's message. The record of what was shown stays (names of
        claims, never their values). Its grant is ended at the institution (:meth:`retry_revocations`)."""
        now = self.clock()
        with self.store.transaction() as doc:
            gone = [c for c in doc["credentials"] if c.get("group") == group]
            if not gone:
                raise NotFoundError("There is no such document in this wallet.")
            doc["credentials"] = [c for c in doc["credentials"] if c.get("group") != group]
            raw = doc.get("renewals", {}).pop(group, None)  # its refresh token and DPoP key go with it
            # ... into the pending revocation, in the same write: the card never goes without it.
            pending = self._pending_revocation(raw, StoredCredential.from_dict(gone[0]), now)
            if pending is not None:
                doc.setdefault("revocations", []).append(pending.to_dict())
        # A request waiting for consent no longer offers it, nor is its code shown.
        self._close_open([StoredCredential.from_dict(c) for c in gone], REMOVED_REQUEST, REMOVED_SHOWING,
                         refuse=True)
        if pending is not None:
            self._revoke_in_background([pending])
        return core.type_title(str(gone[0].get("vct", "")), "en")

    @staticmethod
    def _pending_revocation(raw: Any, first: StoredCredential, now: datetime) -> PendingRevocation | None:
        """What ends the grant ``raw`` of a deleted card (:mod:`wallet.revocation`), whose token ends with
        its document (``first``'s last day); None for none, a grant kept before the wallet stored the
        issuer's ``revocation_endpoint`` or from an issuer without one (only forgotten: it ends unused
        after the issuer's idle time), or one ended already."""
        try:
            grant = RenewalGrant.from_dict(raw) if isinstance(raw, dict) else None
        except MalformedError:
            return None
        if grant is None:
            return None
        _first_day, last_day = core.document_dates(core.document_claims(first))
        return PendingRevocation.of_grant(grant, institution=first.issuer_name, now=now,
                                          token_end=revocation.grant_end(last_day))

    def retry_revocations(self, *, all_pending: bool = False) -> None:
        """Try again to end the grants of deleted cards that their institutions could not be told about
        (RFC 7009 §2; :mod:`wallet.revocation`): those whose wait has passed, or every one still pending
        (``all_pending``: the wallet has just been opened). In the background, as at the deletion; first
        the store forgets those whose token has ended and gives up those past the limits. Called by the
        network actions (receiving, presenting, checking a status, renewing, asking about a pending
        document) and when the pages are unlocked or a terminal command opens the wallet."""
        stored = self.store.read().get("revocations")
        if not stored:
            return  # nothing pending: not even a write
        now = self.clock()
        entries = revocation.tidy(stored, now)
        if [e.to_dict() for e in entries] != stored:  # one dropped or given up: written, under the lock
            with self.store.transaction() as doc:
                entries = revocation.tidy(doc.get("revocations", []), now)
                doc["revocations"] = [e.to_dict() for e in entries]
        self._revoke_in_background([e for e in entries if not e.gave_up and (all_pending or e.due(now))])

    def revocation_notices(self, lang: str) -> list[str]:
        """What the worker is told about the grants of deleted cards (:mod:`wallet.revocation`), for the
        list of documents: one still tried that keeps failing (each time, while it does), and one given
        up (once: it is then forgotten). Nothing about one that went, or failed only now and then."""
        from credentials.i18n import format_date

        if not self.store.read().get("revocations"):
            return []
        now = self.clock()
        said: list[str] = []
        with self.store.transaction() as doc:
            entries = revocation.tidy(doc.get("revocations", []), now)
            for entry in entries:
                if entry.gave_up:
                    ends = entry.token_end
                    said.append(messages.t("revoke.gave_up", lang, institution=entry.institution,
                                           date=format_date(ends[:10], lang)) if ends is not None else
                                messages.t("revoke.gave_up_open", lang, institution=entry.institution))
                elif entry.keeps_failing(now):
                    said.append(messages.t("revoke.still_trying", lang, institution=entry.institution,
                                           date=format_date(entry.last_try().date().isoformat(), lang)))
            doc["revocations"] = [e.to_dict() for e in entries if not e.gave_up]  # told once
        return said

    def _revoke_in_background(self, entries: list[PendingRevocation]) -> None:
        """Send each of ``entries`` (:meth:`_revoke`) in a thread of its own, but one already being sent by
        this process: never holding up or failing what the worker is doing."""
        with self._lock:
            fresh = [e for e in entries if e.id not in self.items.revoking]
            self.items.revoking.update(e.id for e in fresh)
        for entry in fresh:
            # Not a daemon: a terminal's ``wallet delete`` finishes telling before the process ends.
            thread = threading.Thread(target=self._revoke, args=(entry,), name="esspass-revoke-grant")
            with self._lock:
                self._revoking = [t for t in self._revoking if t.is_alive()] + [thread]
            thread.start()

    def _revoke(self, entry: PendingRevocation) -> None:
        """Tell the institution that the grant ``entry`` is over (RFC 7009 §2.1, within :data:`REVOKE_SECONDS`),
        and record what came of it: answered, the entry goes; else one more failed try
        (:meth:`wallet.revocation.PendingRevocation.failed`). An entry gone meanwhile (told by another
        wallet process) stays gone."""
        try:
            try:
                revoke_grant(self.http, revocation_endpoint=entry.endpoint, refresh_token=entry.refresh_token,
                             dpop=DpopSession(load_key(entry.dpop_key)), token_auth_methods=entry.token_auth_methods,
                             audience=entry.audience, challenge_endpoint=entry.challenge_endpoint,
                             attester=self.provider, now=self.clock(), seconds=REVOKE_SECONDS)
                answered = True
            except Exception as exc:  # noqa: BLE001 - best effort: the card is gone whatever the issuer says
                # Its type only: the text may carry the token.
                _log.info("telling the institution that a grant ended failed: %s", type(exc).__name__)
                answered = False
            now = self.clock()
            with self.store.transaction() as doc:
                kept = []
                for raw in doc.get("revocations", []):
                    if isinstance(raw, dict) and raw.get("id") == entry.id:
                        if answered:
                            continue
                        stored = PendingRevocation.from_dict(raw)
                        raw = (stored or entry).failed(now).to_dict()
                    kept.append(raw)
                doc["revocations"] = kept
        except Exception as exc:  # noqa: BLE001 - a thread's end: the store may be locked or changed meanwhile
            _log.info("recording a grant's revocation failed: %s", type(exc).__name__)
        finally:
            with self._lock:
                self.items.revoking.discard(entry.id)

    def wait_revocations(self, timeout: float = REVOKE_SECONDS) -> None:
        """Wait for the grants of deleted cards to be ended at their institutions (:meth:`_revoke`), and
        the verifiers of the requests closed with them to be told (:meth:`_refuse`)."""
        with self._lock:
            threads = list(self._revoking)
        for thread in threads:
            thread.join(timeout)

    def _close_open(self, gone: Collection[StoredCredential], request_reason: str, showing_reason: str, *,
                    refuse: bool = False) -> None:
        """Close what waits on copies this wallet no longer holds (``gone``: the document removed, or
        renewed in those forms by a second offer, :func:`_in_place_of_same`): a request waiting for
        consent that would send one of those forms, whose screen showed the old copy's values, and a
        showing of one of those copies. Each is closed with why (``request_reason``,
        ``showing_reason``), said the next time the worker turns to it; no document is sent.

        ``refuse`` (the document removed): each request's verifier is told it gets no answer
        (:meth:`_refuse_in_background`), so that the inspector's page says so at once rather than
        waiting for the request to expire. A renewed document is still held: its request stays open at
        the verifier, and the same QR code, scanned again, shows the new copy."""
        if not gone:
            return
        forms = {(c.group, c.format) for c in gone}
        ids = {c.id for c in gone}
        unanswered: list[ConsentRequest] = []
        with self._lock:
            for request_id in [r for r, c in self._requests.items()
                               if any((cred.group, cred.format) in forms for cred, _ in c.selection.values())]:
                unanswered.append(self._requests.pop(request_id))
                self._closed[request_id] = request_reason
            for showing_id in [k for k, v in self._showings.items() if v.copy_id in ids]:
                del self._showings[showing_id]
                self._closed[showing_id] = showing_reason
            for key in list(self._closed)[:-_CLOSED_KEPT]:
                del self._closed[key]
        if refuse:
            self._refuse_in_background(unanswered, "access_denied", _NOT_HELD)

    def _refuse_in_background(self, consents: Collection[ConsentRequest], error: str, description: str) -> None:
        """Send each of ``consents`` the refusal (:meth:`_refuse`) in a thread of its own: never holding
        up or failing what the worker is doing (removing a document, receiving its renewal)."""
        for consent in consents:
            # Not a daemon: a terminal's ``wallet delete`` finishes telling before the process ends.
            thread = threading.Thread(target=self._refuse, args=(consent, error, description),
                                      name="esspass-refuse-request")
            with self._lock:
                self._revoking = [t for t in self._revoking if t.is_alive()] + [thread]
            thread.start()

    def _refuse(self, consent: ConsentRequest, error: str, description: str) -> bool:
        """Tell the verifier of a request the worker can no longer answer that it gets no answer, and
        whether it took that: ``error`` is ``access_denied``, which OpenID4VP 1.0 §8.5 gives for a wallet
        that does not have the credentials requested (the document it would send was removed meanwhile,
        :data:`_NOT_HELD`), or ``server_error`` (an answer that could not be made or sent,
        :data:`_NOT_ANSWERED`). Best effort, as :meth:`_send_rejection`: the worker is told either way, and
        the request expires at the verifier."""
        form = core.error_form(consent.request, error, description)
        try:
            post_response(self.http, consent.request.response_uri, form,
                          allow_loopback_http=self.settings.allow_loopback_http)
        except CredentialError as exc:
            _log.info("telling a verifier that a request gets no answer failed: %s", exc.code)
            return False
        return True

    def log(self) -> list[LogEntry]:
        return [LogEntry.from_dict(e) for e in reversed(self.store.read()["log"])]

    # --- status --------------------------------------------------------------------------------

    def check_status(self, group: str, *, seconds: float | None = None) -> StatusCheck:
        """Fetch the issuer's status list now and record the result on every copy (:meth:`_record_status`),
        the fetch given up after ``seconds`` (the wallet's longest, :data:`~wallet.http.MAX_RESPONSE_SECONDS`,
        when None): the worker waits on the page (an unreachable status server is an unconfirmed check).

        Returns the worst status of the copies as the wallet now holds it. When this check could not
        read the list while a status is known, the known one is returned with why it could not be
        confirmed in ``detail``: that belongs to this check only, the record keeps the known value
        (draft-ietf-oauth-status-list §8.3: a failed check allows no statement).
        """
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        copies = [c for c in self.credentials() if c.group == group]
        if not copies:
            raise NotFoundError("There is no such document in this wallet.")
        now = self.clock()
        newest = core.newest_status_lists(self.credentials())
        results: dict[str, StatusCheck] = {}
        fetched: dict[str, Any] = {}  # every copy (SD-JWT VC and mdoc) usually sits in the same list
        for cred in copies:
            results[cred.id] = core.check_status(self, cred, now=now, fetched=fetched, timeout=seconds,
                                                 newest=newest)
        kept = self._record_status(results)
        shown = []
        for cred_id, check in results.items():
            now_held = kept.get(cred_id, check)  # a copy deleted meanwhile: what this check found
            if check.value == "unknown" and now_held.value != "unknown":
                now_held = replace(now_held, detail=check.detail, confirmed=False)
            shown.append(now_held)
        return max(shown, key=lambda s: _STATUS_RANK.get(s.value, 0))

    def _refresh_status(self, creds: list[StoredCredential], now: datetime, *, timeout: float | None = None,
                        budget: float | None = None) -> None:
        """Check ``creds`` against their status lists now and record the answers, best effort.

        As with :meth:`check_status`, a list that cannot be fetched or verified leaves the last
        recorded answer in place (:meth:`_record_status`). One download per list (``fetched``).
        """
        if not creds:
            return
        newest = core.newest_status_lists(self.credentials())
        fetched: dict[str, Any] = {}
        results: dict[str, StatusCheck] = {}
        deadline = time.monotonic() + budget if budget is not None else None
        for cred in creds:
            if deadline is not None and time.monotonic() > deadline:
                break  # the rest keep what was recorded: the worker is not kept waiting longer
            results[cred.id] = core.check_status(self, cred, now=now, fetched=fetched, timeout=timeout,
                                                 newest=newest)
        self._record_status(results)

    def _record_status(self, results: dict[str, StatusCheck]) -> dict[str, StatusCheck]:
        """Record each check against what the store holds at that moment (:func:`core.record_status`:
        ``unknown`` never replaces a known value, a withdrawal is final, an older list is not taken);
        returns what is now recorded, by credential id."""
        kept: dict[str, StatusCheck] = {}
        with self.store.transaction() as doc:
            for entry in doc["credentials"]:
                check = results.get(entry["id"])
                if check is None:
                    continue
                kept[entry["id"]] = core.record_status(StoredCredential.from_dict(entry).last_status, check)
                entry["last_status"] = _asdict(kept[entry["id"]])
        return kept

    # --- receive -------------------------------------------------------------------------------

    def open_offer(self, link: str) -> tuple[str, ResolvedOffer]:
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        offer = resolve_offer(self.http, link, allow_loopback_http=self.settings.allow_loopback_http)
        offer_id = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            self._offers[offer_id] = (offer, time.monotonic())
        return offer_id, offer

    def pending_offer(self, offer_id: str) -> ResolvedOffer:
        with self._lock:
            self._expire()
            entry = self._offers.get(offer_id)
        if entry is None:
            raise NotFoundError("This offer is no longer open here. Start again from the link or QR code.")
        return entry[0]

    def accept_offer(self, offer_id: str, tx_code: str | None) -> list[str]:
        """Collect, verify and store the offered credentials; returns the new card groups."""
        return self.accept(offer_id, tx_code).groups

    def accept(self, offer_id: str, tx_code: str | None) -> Received:
        """:meth:`accept_offer`, saying also which documents the institution deferred."""
        offer = self.pending_offer(offer_id)
        try:
            received = self.take(offer, tx_code)
        except ProtocolError as exc:
            # The pre-authorized code is spent for good (locked, expired, used): the offer's page must
            # not ask for the code again, which could only fail the same way.
            if exc.error == "invalid_grant" and not code_may_be_retried(exc.message):
                with self._lock:
                    self._offers.pop(offer_id, None)
            raise
        with self._lock:
            self._offers.pop(offer_id, None)
        return received

    def begin_authorization(self, offer_id: str, redirect_uri: str, lang: str | None = None) -> str:
        """Start the authorization code flow for an open offer: push the request, remember the PKCE
        verifier under the request's state, and return the institution's page to send the worker to
        (in ``lang``, the worker's language, where the institution has it: ``ui_locales``)."""
        offer = self.pending_offer(offer_id)
        pending = push_authorization(self.http, offer, redirect_uri=redirect_uri, attester=self.provider,
                                     now=self.clock(), ui_locales=lang)
        with self._lock:
            self._expire()
            self._authorizations[pending.state] = (offer_id, pending, time.monotonic())
        return pending.authorize_url

    def finish_authorization(self, state: str, *, code: str | None, iss: str | None, error: str | None) -> list[str]:
        """The institution sent the worker back (RFC 6749 §4.1.2): check state and iss (RFC 9207,
        against mix-up), then collect the documents with the code."""
        return self.complete_authorization(state, code=code, iss=iss, error=error).groups

    def complete_authorization(self, state: str, *, code: str | None, iss: str | None,
                               error: str | None) -> Received:
        """:meth:`finish_authorization`, saying also which documents the institution deferred."""
        with self._lock:
            entry = self._authorizations.pop(state, None)
        if entry is None:
            raise NotFoundError("This wallet did not send you to the institution, or it was too long ago. "
                                "Start again from the link or QR code.")
        offer_id, pending, _at = entry
        offer = self.pending_offer(offer_id)
        if iss != (offer.as_issuer or offer.credential_issuer):
            raise ProtocolError("invalid_request", "The answer does not come from the institution this wallet "
                                "sent you to.")
        if error == "temporarily_unavailable":  # RFC 6749 §4.1.2.1: the offer was not spent (its signer, say)
            raise ProtocolError("temporarily_unavailable", UNAVAILABLE_NOW)
        if error is not None or not code:
            raise ProtocolError("access_denied", "The institution did not hand over the document"
                                + (" (too many wrong codes, or you cancelled)." if error == "access_denied" else "."))
        received = self.take(offer, None, AuthorizedCode(code, pending.verifier, pending.redirect_uri))
        with self._lock:
            self._offers.pop(offer_id, None)
        return received

    def receive(self, offer: ResolvedOffer, tx_code: str | None, authorized: AuthorizedCode | None = None) -> list[str]:
        """:meth:`take` for callers that only want the new card groups."""
        return self.take(offer, tx_code, authorized).groups

    def take(self, offer: ResolvedOffer, tx_code: str | None, authorized: AuthorizedCode | None = None) -> Received:
        """Collect the offered documents: those issued now are checked (:meth:`_receipt`) and stored,
        those the institution defers (OpenID4VCI §8.3 HTTP 202) are kept as one pending issuance,
        in the same store transaction."""
        now = self.clock()
        # The issuers list first: without it nothing received could be kept, and the offer's code is
        # for one use (OpenID4VCI §6.1), so it is not spent on documents the wallet would throw away.
        issuers = self.trust.issuers(now)
        failures: list[CredentialError] = []
        deferred: list[DeferredCredentials] = []
        batches = obtain_credentials(self.http, offer, tx_code=tx_code, copies=self.settings.batch_size, now=now,
                                     attester=self.provider, authorized=authorized, failures=failures,
                                     deferred=deferred)
        if deferred and offer.deferred_endpoint is None:
            failures.append(MalformedError("the institution deferred the document but names no deferred "
                                           "credential endpoint to fetch it from"))
            deferred = []
        institution = ""  # the deferring institution's listed name: the pending entry is shown under it
        if deferred:
            # A document from an institution not on the list for its type is refused on arrival; so
            # is its deferral: no pending entry is kept for a server the list does not name at this
            # address (core.deferring_issuer), and none under the name the server gives itself. A 202
            # has no notification_id (§8.3, §11.1), so the server cannot be told credential_failure.
            try:
                named = [core.deferring_issuer(issuers, offer.credential_issuer, vct, now=now)
                         for vct in dict.fromkeys(d.vct for d in deferred)]
                institution = core.entity_name(named[0])
            except CredentialError as exc:
                failures.insert(0, exc)
                deferred = []
        new, groups, stored = self._receipt(
            batches, failures, issuer_url=offer.credential_issuer, issuers=issuers, now=now,
            tell=lambda batch, event, detail: self._notify_quietly(offer, batch, event, detail, now))
        if not new and not deferred:
            raise failures[0] if failures else MalformedError("the issuer sent no document")
        entry = _pending_entry(offer, deferred, institution, now) if deferred else None
        # The copies are renewed later with the grant's refresh token (wallet.renewal); not while part of
        # the offer is pending, whose entry holds the same refresh token (it gives the grant on arrival).
        grant = _offer_grant(offer, stored, now) if entry is None else None
        with self.store.transaction() as doc:
            new, groups, erased = _in_place_of_same(doc, new, groups)
            doc["credentials"].extend(c.to_dict() for c in new)
            _keep_grant(doc, new, grant)
            if entry is not None:
                doc.setdefault("pending", []).append(entry.to_dict())
        self._close_open(erased, RENEWED_REQUEST, RENEWED_SHOWING)
        for batch in stored:
            self._notify_quietly(offer, batch, "credential_accepted", None, now)
        if new:
            self._check_replaced(new, now)
        return Received(groups, [entry.id] if entry is not None else [])

    def _placed(self, kind: str, held: Any, now: datetime, check: Callable[[Any], _T]) -> tuple[_T, Any]:
        """``check`` by the ``kind`` list held, and the list it was judged by. Where that list does not
        place the issuer or verifier (IssuerTrustError, IssuerKeyError) it may predate a change (a key
        rotated in, a role or an inspectorate just registered): ``check`` again by the list fetched anew
        (:meth:`trust_registry.client.TrustListClient.revalidate`: at most every half minute, not while
        the registry is out of reach), else the refusal stands."""
        try:
            return check(held), held
        except (IssuerTrustError, IssuerKeyError):
            fresh = self.trust.revalidate(kind, now) if isinstance(self.trust, core.Revalidating) else None
            if fresh is None:
                raise
            return check(fresh), fresh

    @staticmethod
    def _verify_issued(batch: IssuedCredentials, issuers: Any, *, issuer_url: str,
                       now: datetime) -> list[core.CheckedCredential]:
        """Each copy of ``batch`` checked as issued (:func:`wallet.core.verify_issued`, ``verify_issued_mdoc``)."""
        if batch.format == "mso_mdoc":
            return [core.verify_issued_mdoc(text, issuers=issuers, vct=batch.vct, now=now)
                    for text in batch.credentials]
        return [core.verify_issued(text, issuers=issuers, vct=batch.vct, issuer_url=issuer_url, now=now)
                for text in batch.credentials]

    def _receipt(self, batches: list[IssuedCredentials], failures: list[CredentialError], *, issuer_url: str,
                 issuers: Any, now: datetime, tell: Callable[[IssuedCredentials, str, str | None], None],
                 ) -> tuple[list[StoredCredential], list[str], list[IssuedCredentials]]:
        """The receipt checks of every document, issued at once or after a deferral (one code path):
        each copy verified and bound to a key we generated, the copies of each batch one document,
        the forms of each document in agreement. Returns what to store, its card groups and the
        batches kept (to be told ``credential_accepted`` once stored); a batch refused is told
        ``credential_failure`` through ``tell`` and added to ``failures``; an issuer that said two
        things of one document gets nothing of these batches kept (OfferDisagreesError raised)."""
        new: list[StoredCredential] = []
        stored: list[Any] = []
        groups: list[str] = []
        by_vct: dict[str, str] = {}  # one card per document: its SD-JWT VC copies and its mdoc copies
        # Each batch (one configuration, one notification_id, §11.1) is kept or refused on its own: a
        # document whose ISO mdoc form fails still arrives in its SD-JWT VC form, and the issuer hears
        # which one failed; only when nothing arrives is the worker told it did not work. Except when
        # what the issuer sent of one document does not say one thing (OfferDisagreesError): then
        # nothing of the offer is kept.
        kept: list[core.CheckedCredential] = []  # one copy of each batch kept: the document's forms
        for batch in batches:
            by_thumb = {thumbprint(k): k for k in batch.keys}
            group = by_vct.setdefault(batch.vct, secrets.token_hex(8))
            copies: list[StoredCredential] = []
            checked_copies: list[core.CheckedCredential] = []
            try:
                verified, issuers = self._placed("issuers", issuers, now,
                                                 partial(self._verify_issued, batch, issuer_url=issuer_url, now=now))
                for n, (text, checked) in enumerate(zip(batch.credentials, verified, strict=True)):
                    checked_copies.append(checked)
                    key = by_thumb.pop(core.jwk_thumbprint_of(checked.holder_jwk), None)
                    if key is None:
                        raise KeyBindingError("the document is not bound to a key this wallet generated for it")
                    compact_b64 = batch.compacts[n] if n < len(batch.compacts) else None
                    extra = ({"compact": core.check_compact(compact_b64, checked, text, key, now=now)}
                             if compact_b64 else {})
                    copies.append(
                        StoredCredential(
                            id=secrets.token_hex(8),
                            group=group,
                            format=batch.format,
                            vct=checked.vct,
                            credential=text,
                            private_key=key_to_pem(key),
                            issuer_url=issuer_url,
                            issuer_id=checked.issuer_id,
                            issuer_name=checked.issuer_name,
                            configuration_id=batch.configuration_id,
                            received_at=now.isoformat(),
                            claims=checked.claims,
                            iat=checked.iat,
                            exp=checked.exp,
                            status=checked.status,
                            notification_id=batch.notification_id,
                            extra=extra,
                        )
                    )
                core.same_document(checked_copies)
            except CredentialError as exc:
                tell(batch, "credential_failure", exc.code)
                failures.append(exc)
                continue
            new += copies
            stored.append(batch)
            kept += checked_copies[:1]
            if group not in groups:
                groups.append(group)
        refusal: CredentialError | None = next((f for f in failures if isinstance(f, OfferDisagreesError)), None)
        if refusal is None:
            try:
                for vct in by_vct:
                    core.same_forms([c for c in kept if c.vct == vct])
            except CredentialError as exc:  # forms that cannot be read alike are not shown to agree
                refusal = exc
        if refusal is not None:
            # An issuer that said two things of one document has shown it cannot be relied on for
            # this offer: its other forms are not kept either (no card holding part of what it
            # sent), and the worker is told why rather than getting the rest in silence.
            for batch in stored:
                tell(batch, "credential_failure", refusal.code)
            raise refusal
        return new, groups, stored

    # --- deferred issuance (OpenID4VCI §9) -----------------------------------------------------------

    def pending(self, lang: str) -> list[PendingView]:
        """The documents institutions have not handed over yet, oldest request first."""
        views = []
        for entry in self._pending_entries():
            views.append(PendingView(entry.id, entry.issuer_name(),
                                     tuple(core.type_title(v, lang) for v in entry.vcts()),
                                     entry.asked_at, entry.next_poll, entry.last_error))
        return sorted(views, key=lambda v: v.asked_at)

    def cancel_pending(self, entry_id: str, *, lang: str = "en") -> PendingView:
        """Remove a pending document the worker no longer waits for (an offer taken by mistake, a
        document no longer wanted, an institution that never answers); returns it as the worker saw
        it (in ``lang``), for the caller's message.

        One store transaction removes the entry with everything kept only for it (all inside the
        entry, :mod:`wallet.deferred`): the holder keys whose public keys were in the proofs, the
        DPoP key the tokens are bound to, the access and refresh tokens, and any form that arrived
        with its keys; in the same transaction the worker's log records it (the institution's name
        and the document types: no claim, no value, no token, no transaction id).

        The institution is told nothing of what it has not issued: OpenID4VCI 1.0 has no way to
        withdraw a deferred request, and a notification (§11.1) must name a ``notification_id``,
        which comes only with the credentials (§8.3, §9.2), never with a 202. So nothing is sent for
        the transactions still deferred. The institution may still approve and sign the document; it
        is then bound to holder keys that exist nowhere any more, so nobody can present it, and no
        wallet process asks for it again. A form that already arrived carries its notification_id:
        it is told ``credential_deleted`` (§11.1: the issuance did not succeed through the user's
        action), best effort and within :data:`_CANCEL_NOTIFY_BUDGET` seconds, after the entry is gone.

        An entry another wallet process holds the lease of right now (the terminal or the page asking
        the institution, :meth:`fetch_pending`) is not removed: :class:`PendingBusyError`, to be tried
        again when that round ends (within :data:`~wallet.deferred.ENTRY_SECONDS`; the lease of a
        process that died ends after :data:`~wallet.deferred.LEASE_SECONDS`). Taking the entry over
        would not make the removal true: the holder's round stores a document that arrives whoever
        holds the entry by then (:meth:`_receive_deferred`), and may be renewing the tokens meanwhile.
        :class:`NotFoundError` when this wallet holds no pending entry ``entry_id``.
        """
        now = self.clock()
        with self.store.transaction() as doc:
            pending = doc.setdefault("pending", [])
            raw = next((p for p in pending if isinstance(p, dict) and p.get("id") == entry_id), None)
            if raw is None:
                raise NotFoundError("There is no such pending document in this wallet.")
            try:
                entry: PendingIssuance | None = PendingIssuance.from_dict(raw)
            except MalformedError:
                entry = None  # damaged: never asked about, so nothing holds it; it may go
            if entry is not None and not due(entry, now, force=True):  # leased, and the lease has not passed
                raise PendingBusyError("it is being asked about right now; nothing was removed")
            if entry is not None:
                view = PendingView(entry.id, entry.issuer_name(),
                                   tuple(core.type_title(v, lang) for v in entry.vcts()), entry.asked_at,
                                   entry.next_poll, entry.last_error)
            else:
                view = PendingView(entry_id, str(raw.get("issuer_url", "")), (), str(raw.get("asked_at", "")), "", "")
            doc["pending"] = [p for p in pending if not (isinstance(p, dict) and p.get("id") == entry_id)]
            # Remembered (the last few), so that a round whose lease lapsed before the removal does
            # not store the document afterwards (:meth:`_receive_deferred`).
            doc["removed_pending"] = [*doc.get("removed_pending", []), entry_id][-_REMOVED_KEPT:]
            doc["log"].append(LogEntry(time=now.isoformat(), outcome="cancelled", verifier_id="",
                                       verifier_name=view.issuer_name, client_id="", purpose="", credentials=[],
                                       vcts=entry.vcts() if entry is not None else [], claims=[]).to_dict())
        if entry is not None:
            self._tell_deleted(entry, now)
        return view

    def _tell_deleted(self, entry: PendingIssuance, now: datetime) -> None:
        """§11.1 ``credential_deleted`` for each form of the removed ``entry`` that arrived with a
        notification_id, with the entry's access token (not renewed for this: a courtesy is not
        worth spending the refresh token on); best effort, within :data:`_CANCEL_NOTIFY_BUDGET`."""
        told = [a for a in entry.arrived if a.notification_id]
        if not told or entry.notification_endpoint is None:
            return
        try:
            dpop = DpopSession(load_key(entry.dpop_key)) if entry.dpop_key else None
        except CredentialError:
            return
        budget = _Budget(_CANCEL_NOTIFY_SECONDS, time.monotonic() + _CANCEL_NOTIFY_BUDGET)
        for arrived in told:
            if budget.spent():
                return
            batch = IssuedCredentials(configuration_id=arrived.configuration_id, vct=arrived.vct, credentials=(),
                                      keys=(), notification_id=arrived.notification_id,
                                      access_token=entry.access_token, token_type=entry.token_type, dpop=dpop,
                                      format=arrived.format)
            try:
                send_notification(self.http, entry.notification_endpoint, batch, "credential_deleted", now=now,
                                  description="removed by the holder", seconds=budget.seconds())
            except CredentialError:
                pass

    def _pending_entries(self) -> list[PendingIssuance]:
        entries = []
        for raw in self.store.read().get("pending", []):
            try:
                entries.append(PendingIssuance.from_dict(raw))
            except MalformedError:
                continue  # a damaged entry is not shown, and never asked about
        return entries

    def fetch_pending(self, *, force: bool = False, only: str | None = None, seconds: float | None = None,
                      budget: float | None = None, lang: str = "en") -> list[PendingOutcome]:
        """Ask the institutions about the pending documents that are due (OpenID4VCI §9): all of them
        with ``force`` (the worker asked), or only ``only`` (its "Check now"), each exchange within
        ``seconds``, every exchange ending by ``budget`` seconds from now (a page must not hang).

        Each entry is leased in a store transaction of its own just before it is asked about (another
        wallet process asking at the same time skips it), and its questions end within
        :data:`~wallet.deferred.ENTRY_SECONDS` (at most half the lease), so the lease cannot run out
        while they are asked; what each answer changes is written in one transaction of its own, and
        only while the lease is still this claim's (:meth:`_save_pending`).
        """
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        now = self.clock()
        held = self._pending_entries()
        if only is not None and all(e.id != only for e in held):
            raise NotFoundError("There is no such pending document in this wallet.")
        forced = force or only is not None
        wanted = [e.id for e in held if (only is None or e.id == only) and due(e, now, force=forced)]
        if not wanted:
            return []  # nothing to ask: the store is not written (the list page asks on every visit)
        deadline = time.monotonic() + budget if budget is not None else None
        outcomes: list[PendingOutcome] = []
        for entry_id in wanted:
            if deadline is not None and time.monotonic() >= deadline:
                break  # not leased: asked about on the next visit
            entry = self._lease(entry_id, forced)
            if entry is None:
                continue  # another wallet process is asking about it, or it was decided meanwhile
            ends = time.monotonic() + min(ENTRY_SECONDS, LEASE_SECONDS / 2)
            limit = ends if deadline is None else min(deadline, ends)
            outcomes.append(self._ask_safely(entry, self.clock(), _Budget(seconds, limit), lang))
        return outcomes

    def _lease(self, entry_id: str, forced: bool) -> PendingIssuance | None:
        """Claim ``entry_id`` for :data:`~wallet.deferred.LEASE_SECONDS` when it is still due and no
        other process holds it: the claimed entry (``lease_holder``: this claim's random token), or None."""
        now = self.clock()
        with self.store.transaction() as doc:
            for raw in doc.setdefault("pending", []):
                if raw.get("id") != entry_id:
                    continue
                try:
                    entry = PendingIssuance.from_dict(raw)
                except MalformedError:
                    return None
                if not due(entry, now, force=forced):
                    return None
                claimed = replace(entry, lease_until=(now + timedelta(seconds=LEASE_SECONDS)).isoformat(),
                                  lease_holder=secrets.token_hex(16))
                raw.update(lease_until=claimed.lease_until, lease_holder=claimed.lease_holder)
                return claimed
        return None

    def _ask_safely(self, entry: PendingIssuance, now: datetime, budget: _Budget, lang: str) -> PendingOutcome:
        """:meth:`_ask_pending`, whatever goes wrong in it: an entry the wallet cannot handle is
        released with the reason and asked again after its interval; the page that asked is answered."""
        try:
            return self._ask_pending(entry, now, budget, lang)
        except WalletLockedError:
            raise  # the store itself: the worker unlocks again
        except CredentialError as exc:  # e.g. a damaged key in the entry: said, kept, asked again later
            detail = exc.message
        except Exception as exc:  # noqa: BLE001 - a boundary, after every check: one entry must not take the page down
            # Its type only: the text may carry a token, or what the issuer sent about the worker.
            _log.warning("asking about a pending document failed: %s", type(exc).__name__)
            detail = "the wallet could not handle the institution's answer"
        self._release_pending(entry.id, now, detail, entry.lease_holder)
        return PendingOutcome(entry.id, "pending", entry.issuer_name(),
                              tuple(core.type_title(v, lang) for v in entry.vcts()), detail=detail)

    def _ask_pending(self, entry: PendingIssuance, now: datetime, budget: _Budget,
                     lang: str) -> PendingOutcome:
        """One round of questions about the leased ``entry`` (see :mod:`wallet.deferred` for the
        answers), each exchange within ``budget``. What arrived is never dropped: each form is written
        into the stored entry as it arrives, before the next question (the issuer has spent its
        transaction), and when the rest cannot be had (refused, unknown, access ended), what arrived
        is received and the worker told what is missing (:meth:`_receive_deferred`)."""
        names = entry.issuer_name(), tuple(core.type_title(v, lang) for v in entry.vcts())
        holder = entry.lease_holder

        def outcome(kind: str, groups: tuple[str, ...] = (), detail: str = "") -> PendingOutcome:
            return PendingOutcome(entry.id, kind, names[0], names[1], groups, detail)

        dpop = DpopSession(load_key(entry.dpop_key)) if entry.dpop_key else None
        token, token_type, refresh = entry.access_token, entry.token_type, entry.refresh_token
        remaining: list[Transaction] = []
        arrived = list(entry.arrived)
        interval: int | None = None
        error, refused, gone, refreshed = "", False, False, False
        ended: str | None = None  # access ended and cannot be renewed: nothing more can be asked, ever
        stop = False  # access could not be renewed this time: the others are not asked either
        came: set[int] = set()  # the transactions whose forms arrived in this round

        def keep(current: PendingIssuance) -> None:
            """What the round has changed so far written at once (renewed tokens, forms arrived), while
            held: every transaction whose form has not come stays, so a round cut short (any error,
            the store locked) loses nothing the issuer has spent or rotated."""
            self._save_pending(replace(current, arrived=tuple(arrived), transactions=tuple(
                t for i, t in enumerate(current.transactions) if i not in came)), holder)

        for n, tx in enumerate(entry.transactions):
            if ended is not None or stop or budget.spent():
                remaining.append(tx)  # not asked this time: the page that asked does not wait longer
                continue
            renewing = False
            try:
                while True:
                    answer = poll_deferred(self.http, entry.deferred_endpoint, tx.transaction_id, most=len(tx.keys),
                                           token=token, token_type=token_type, dpop=dpop, now=now,
                                           seconds=budget.seconds())
                    if answer.kind != "token_expired" or refreshed or refresh is None:
                        break
                    refreshed = renewing = True  # RFC 6749 §6, once per round
                    if budget.spent():
                        raise TransportError("Renewing access at the institution: no time was left this time")
                    try:
                        token, token_type, refresh = refresh_access(
                            self.http, token_endpoint=entry.token_endpoint, refresh_token=refresh, dpop=dpop,
                            token_auth_methods=entry.token_auth_methods, audience=entry.as_issuer,
                            challenge_endpoint=entry.challenge_endpoint, attester=self.provider, now=now,
                            seconds=budget.seconds())
                    except ProtocolError as exc:
                        if exc.http_status >= 500 or exc.error == "temporarily_unavailable":
                            raise TransportError(exc.message) from exc
                        ended = exc.message  # the refresh token was refused: nothing more to ask with
                        break
                    except MalformedTokenAnswer as exc:
                        if exc.rotated is not None:  # the one sent may be revoked already (rotation, §6)
                            refresh = exc.rotated
                            entry = replace(entry, refresh_token=refresh)
                            keep(entry)
                        raise
                    renewing = False
                    # The old refresh token may be spent already (rotation, §6): the new ones are kept at once.
                    entry = replace(entry, access_token=token, token_type=token_type, refresh_token=refresh)
                    keep(entry)
            except (TransportError, MalformedError) as exc:
                remaining.append(tx)
                error = exc.message
                stop = renewing  # without a renewed token the others cannot be asked either
                continue
            if ended is not None:
                remaining.append(tx)
            elif answer.kind == "issued" and answer.issued is not None:
                arrived.append(Arrived(tx.configuration_id, tx.vct, tx.format, tx.keys, answer.issued.credentials,
                                       answer.issued.compacts, answer.issued.notification_id))
                # The issuer has spent this transaction (§9): the form goes into the stored entry
                # before anything else is asked, so whatever ends the round later (an error
                # _ask_safely releases the entry as stored for, the store locked) cannot lose it.
                came.add(n)
                keep(entry)
            elif answer.kind == "pending":
                remaining.append(tx)
                interval = max(interval or 0, answer.interval or 0)
            elif answer.kind == "denied":
                refused = True
            elif answer.kind == "unknown":
                gone = True
            elif answer.kind == "token_expired":  # refused again after renewal, or nothing to renew with
                ended = "the institution no longer accepts this wallet's access"
                remaining.append(tx)
            else:  # retry, malformed: asked again after the interval
                remaining.append(tx)
                error = answer.detail
        entry = replace(entry, transactions=tuple(remaining), arrived=tuple(arrived))
        if ended is not None:
            if arrived:  # what came is the worker's: received, and what could not come said
                return self._receive_deferred(replace(entry, transactions=()), now, dpop, outcome, budget,
                                              missing=f"the rest could not be fetched: {ended}")
            self._drop_pending(entry.id, holder)
            return outcome("expired", detail=ended)
        if remaining:
            self._save_pending(entry.after(now, interval, error=error), holder)
            return outcome("pending", detail=error)
        if arrived:
            missing = ("the institution refused the rest" if refused
                       else "the institution no longer knows the request for the rest" if gone else "")
            return self._receive_deferred(entry, now, dpop, outcome, budget, missing=missing)
        self._drop_pending(entry.id, holder)
        return outcome("refused" if refused else "gone" if gone else "expired")

    def _receive_deferred(self, entry: PendingIssuance, now: datetime, dpop: DpopSession | None,
                          outcome: Callable[..., PendingOutcome], budget: _Budget, *,
                          missing: str = "") -> PendingOutcome:
        """Every deferred batch of ``entry`` that will come has come: the receipt checks, then the
        documents stored and the entry dropped in one transaction, then the notifications (§11) and
        the status of what they may replace, while ``budget`` lasts (both best effort: a notification
        not sent in time is not sent again). ``missing``: why part of the offer did not come, told
        with the documents received."""
        holder = entry.lease_holder
        self._save_pending(entry, holder)  # what came is kept (still leased) until it is decided
        try:
            issuers = self.trust.issuers(now)
        except CredentialError as exc:  # no trust list at hand: kept, and checked on the next round
            self._save_pending(entry.after(now, error=exc.message), holder)
            return outcome("pending", detail=exc.message)
        batches = [IssuedCredentials(configuration_id=a.configuration_id, vct=a.vct, credentials=a.credentials,
                                     keys=tuple(load_key(k) for k in a.keys), notification_id=a.notification_id,
                                     access_token=entry.access_token, token_type=entry.token_type, dpop=dpop,
                                     compacts=a.compacts, format=a.format) for a in entry.arrived]

        def tell(batch: IssuedCredentials, event: str, detail: str | None) -> None:
            if budget.spent():
                return  # a courtesy (§11), not worth the worker's wait
            try:
                send_notification(self.http, entry.notification_endpoint, batch, event, now=now, description=detail,
                                  seconds=budget.seconds())
            except CredentialError:
                pass

        failures: list[CredentialError] = []
        try:
            new, groups, stored = self._receipt(batches, failures, issuer_url=entry.issuer_url, issuers=issuers,
                                                now=now, tell=tell)
        except CredentialError as exc:
            self._drop_pending(entry.id, holder)
            return outcome("failed", detail=exc.message)
        with self.store.transaction() as doc:
            pending = doc.get("pending", [])
            if not any(p.get("id") == entry.id and _holds(p, holder) for p in pending):
                # The lease lapsed meanwhile (a stalled process): another round took the entry over and
                # stored what this one had kept, or the worker removed it. The documents are the
                # worker's whoever holds the entry, but once: none is stored twice, nor after a removal.
                known = {c.get("credential") for c in doc["credentials"]}
                removed = entry.id in doc.get("removed_pending", [])
                if removed:
                    return outcome("gone", detail="the worker removed it")
                new = [c for c in new if c.credential not in known]
                if not new:
                    return outcome("received", ())  # by the round that took the entry over
            new, groups, erased = _in_place_of_same(doc, new, groups)
            doc["credentials"].extend(c.to_dict() for c in new)
            _keep_grant(doc, new, _deferred_grant(entry, stored, now))
            # The entry is dropped by its holder.
            doc["pending"] = [p for p in pending if p.get("id") != entry.id or not _holds(p, holder)]
        self._close_open(erased, RENEWED_REQUEST, RENEWED_SHOWING)
        for batch in stored:
            tell(batch, "credential_accepted", None)
        if not new:
            return outcome("failed", detail=failures[0].message if failures else "the issuer sent no document")
        if not budget.spent():
            left = None if budget.deadline is None else budget.deadline - time.monotonic()
            self._check_replaced(new, now, timeout=budget.seconds(), budget=left)
        return outcome("received", tuple(groups), detail=missing)

    def _save_pending(self, entry: PendingIssuance, holder: str | None) -> None:
        """Write ``entry`` over the stored one, while ``holder`` still holds its lease."""
        with self.store.transaction() as doc:
            pending = doc.setdefault("pending", [])
            for n, raw in enumerate(pending):
                if raw.get("id") == entry.id and _holds(raw, holder):
                    pending[n] = entry.to_dict()

    def _release_pending(self, entry_id: str, now: datetime, error: str, holder: str | None) -> None:
        """The entry as now stored (tokens renewed and forms arrived meanwhile included: never the copy
        the round began with), asked again after its interval, while ``holder`` still holds its lease."""
        with self.store.transaction() as doc:
            pending = doc.setdefault("pending", [])
            for n, raw in enumerate(pending):
                if raw.get("id") == entry_id and _holds(raw, holder):
                    try:
                        pending[n] = PendingIssuance.from_dict(raw).after(now, error=error).to_dict()
                    except MalformedError:
                        pass

    def _drop_pending(self, entry_id: str, holder: str | None) -> None:
        """Forget the entry, while ``holder`` still holds its lease."""
        with self.store.transaction() as doc:
            doc["pending"] = [p for p in doc.get("pending", []) if p.get("id") != entry_id or not _holds(p, holder)]

    def _check_replaced(self, new: list[StoredCredential], now: datetime, *, timeout: float | None = None,
                        budget: float | None = None) -> None:
        """Check the status of the documents ``new`` may replace, so their cards say "replaced".

        An institution that extends or corrects a document issues a new one and marks the old one
        replaced in its status list (draft-ietf-oauth-status-list §7.1: our REPLACED, 0x03; an
        issuer of before it, INVALID). The older documents of
        the same type, from the same issuer and the same authentic source are checked now (best
        effort, :meth:`_refresh_status`); nothing is deleted, the worker decides.
        """
        held = self.credentials()
        fresh = {c.group for c in new}
        older = {c.group for c in held if c.group not in fresh and any(_same_kind(c, n) for n in new)}
        self._refresh_status([c for c in held if c.group in older], now, timeout=timeout, budget=budget)

    def _notify_quietly(self, offer: ResolvedOffer, batch: Any, event: str, detail: str | None, now: datetime) -> None:
        try:
            notify(self.http, offer, batch, event, now=now, description=detail)
        except CredentialError:
            pass  # the notification is a courtesy (§11); the credentials are already decided

    # --- copy renewal (HAIP 1.0 §4 credential refresh; wallet.renewal) ------------------------------------

    def _notice(self) -> timedelta:
        """The window before the copies end in which the card says so and the wallet renews them."""
        return timedelta(days=self.settings.copies_notice_days)

    def renews(self, group: str) -> bool:
        """Whether this wallet holds the institution's grant to renew the card's copies (the card offers
        "Renew copies" only then): none for a card received without one, or whose grant the institution
        ended (a new offer, "End copy renewals", its copies stopped), which the wallet dropped when told."""
        return self._grant(group) is not None

    def _grant(self, group: str) -> RenewalGrant | None:
        raw = self.store.read().get("renewals", {}).get(group)
        try:
            return RenewalGrant.from_dict(raw) if isinstance(raw, dict) else None
        except MalformedError:
            return None

    def renew(self, group: str, *, lang: str = "en", seconds: float | None = None,
              budget: float | None = None) -> RenewalOutcome:
        """New copies of a card's document now (the worker pressed "Renew copies", or ``wallet renew``),
        whether or not they are due, with the grant the institution gave (:mod:`wallet.renewal`): each
        exchange within ``seconds``, all of them by ``budget`` seconds from now (at most
        :data:`~wallet.deferred.ENTRY_SECONDS`, within the lease).

        :class:`NotFoundError` for no such card; :class:`NoRenewalError` for a document that has ended
        by its own dates (an A1 whose period ended is the proof of that period as it is: nothing to
        renew, nobody to ask), and for a card without a grant (received before the wallet kept one, from
        an institution that gives none, or after a refusal): the institution is asked for a new offer;
        :class:`PendingBusyError` while another wallet process renews it. Otherwise a
        :class:`RenewalOutcome` (:meth:`_renew_leased`): the old copies are replaced only by new ones
        that passed every receipt check."""
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        held = [c for c in self.credentials() if c.group == group]
        if not held:
            raise NotFoundError("There is no such document in this wallet.")
        if core.document_period(core.document_claims(held[0]), self.today()) == "ended":
            # Never for a document whose own last day has passed (renewal.why_due): an A1 whose period
            # ended stays the proof of that period, a card that expired needs a new card, not new copies.
            raise NoRenewalError(ENDED_NO_RENEWAL)
        if any(c.last_status is not None and c.last_status.value == "replaced" for c in held):
            # The institution replaced the document (status REPLACED): the new one comes with its own offer,
            # and this one's access to renewals ended with it (review R10, 6).
            raise NoRenewalError(REPLACED_NO_RENEWAL)
        grant = self._lease_grant(group, automatic=False)
        limit = time.monotonic() + min(budget if budget is not None else ENTRY_SECONDS, ENTRY_SECONDS)
        return self._renew_safely(group, grant, _Budget(seconds, limit), lang)

    def renew_due(self, *, only: str | None = None, seconds: float | None = None, budget: float | None = None,
                  lang: str = "en", force: bool = False) -> list[RenewalOutcome]:
        """Renew, by itself, the copies of every card (or only ``only``) that is due (:func:`renewal.due`:
        ending within the notice window, ended while the document is current, or used up), each
        exchange within ``seconds`` and every one begun within ``budget`` seconds from now (a page
        showing the cards does not wait longer: the rest are renewed on a later visit). A card whose
        renewal failed, or did not move its copies' end, is not tried again by itself for a day
        (``force``: the worker asked, ``wallet renew``: tried all the same)."""
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        now, today = self.clock(), self.today()
        doc = self.store.read()
        grants = doc.get("renewals", {})
        if not grants:
            return []  # nothing to renew with: the store is not written (the list page asks on every visit)
        held: dict[str, list[StoredCredential]] = {}
        for raw in doc["credentials"]:
            cred = StoredCredential.from_dict(raw)
            if only is None or cred.group == only:
                held.setdefault(cred.group, []).append(cred)
        wanted: list[tuple[str, tuple[str, ...] | None]] = []
        published: dict[str, tuple[str, ...] | None] = {}
        for group, copies in held.items():
            raw = grants.get(group)
            try:
                grant = RenewalGrant.from_dict(raw) if isinstance(raw, dict) else None
            except MalformedError:
                continue
            if renewal.due(grant, copies, now, today, notice=self._notice(), force=force) is not None:
                wanted.append((group, None))
            elif (grant is not None and renewal.due(replace(grant, stalled_end=None), copies, now, today,
                                                    notice=self._notice(), force=force) == renewal.ENDING):
                # Stalled where the last renewal left them: renewed only under another signer (M1).
                if grant.issuer_url not in published:
                    published[grant.issuer_url] = self._issuer_signers(grant.issuer_url, seconds)
                signers = published[grant.issuer_url]
                if renewal.due(grant, copies, now, today, notice=self._notice(), force=force,
                               published=signers) is not None:
                    wanted.append((group, signers))
        deadline = time.monotonic() + budget if budget is not None else None
        outcomes: list[RenewalOutcome] = []
        for group, signers in wanted:
            if deadline is not None and time.monotonic() >= deadline:
                break  # not leased: renewed on a later visit
            try:
                leased = self._lease_grant(group, automatic=True, force=force, published=signers)
            except CredentialError:
                continue  # gone, or renewed by another process meanwhile
            ends = time.monotonic() + min(ENTRY_SECONDS, renewal.LEASE_SECONDS / 2)
            outcomes.append(self._renew_safely(group, leased, _Budget(seconds, ends if deadline is None
                                                                       else min(deadline, ends)), lang))
        return outcomes

    def _lease_grant(self, group: str, *, automatic: bool, force: bool = False,
                     published: tuple[str, ...] | None = None) -> RenewalGrant:
        """Claim the card's grant for :data:`renewal.LEASE_SECONDS` (``lease_holder``: this claim's
        random token). Refused (:class:`NoRenewalError`) without a usable grant, and
        (:class:`PendingBusyError`) while another process holds it; ``automatic``: also when it is no
        longer due, or while its next automatic try waits (unless ``force``)."""
        now = self.clock()
        with self.store.transaction() as doc:
            grants = doc.setdefault("renewals", {})
            raw = grants.get(group)
            try:
                grant = RenewalGrant.from_dict(raw) if isinstance(raw, dict) else None
            except MalformedError:
                grants.pop(group, None)  # damaged: it could never be used
                grant = None
            if grant is None:
                raise NoRenewalError(NO_RENEWAL)
            if grant.leased(now):
                raise PendingBusyError(RENEWING_NOW)
            if automatic:
                copies = [StoredCredential.from_dict(c) for c in doc["credentials"] if c.get("group") == group]
                if renewal.due(grant, copies, now, self.today(), notice=self._notice(), force=force,
                               published=published) is None:
                    raise PendingBusyError(RENEWING_NOW)
            claimed = replace(grant, lease_until=(now + timedelta(seconds=renewal.LEASE_SECONDS)).isoformat(),
                              lease_holder=secrets.token_hex(16))
            grants[group] = claimed.to_dict()
            return claimed

    def _issuer_signers(self, issuer_url: str, seconds: float | None) -> tuple[str, ...] | None:
        """The signer keys the issuer publishes now (:func:`wallet.receive.issuer_signers`); None when they
        cannot be read (taken as unchanged: copies stalled stay as they are, review J, M1)."""
        try:
            return issuer_signers(self.http, issuer_url, seconds=min(seconds or _SIGNERS_SECONDS, _SIGNERS_SECONDS))
        except CredentialError as exc:
            _log.info("reading an issuer's signer keys failed: %s", type(exc).__name__)
            return None

    def _save_grant(self, group: str, grant: RenewalGrant | None, holder: str | None) -> None:
        """Write ``grant`` over the card's stored one (None: drop it), while ``holder`` still holds its lease."""
        with self.store.transaction() as doc:
            grants = doc.setdefault("renewals", {})
            if _holds(grants.get(group), holder):
                if grant is None:
                    del grants[group]
                else:
                    grants[group] = grant.to_dict()

    def _renew_safely(self, group: str, grant: RenewalGrant, budget: _Budget, lang: str) -> RenewalOutcome:
        """:meth:`_renew_leased`, whatever goes wrong in it: the grant is released with the reason (the
        copies held stay), and the page or terminal that asked is answered."""
        now = self.clock()
        try:
            return self._renew_leased(group, grant, now, budget, lang)
        except WalletLockedError:
            raise  # the store itself: the worker unlocks again
        except CredentialError as exc:
            detail, said = exc.message, _said(exc, lang)
            # The issuer's "not due for renewal" (credential_request_denied naming when it renews them: its
            # renewal_from member, else its words): nothing was refused about the document (review R10, 1).
            not_due = renewal.not_due_from(exc) if isinstance(exc, ProtocolError) else None
        except Exception as exc:  # noqa: BLE001 - a boundary, after every check: one card must not take the page down
            # Its type only: the text may carry a token, or what the issuer sent about the worker.
            _log.warning("renewing a document's copies failed: %s", type(exc).__name__)
            detail = said = messages.explain("malformed", "", lang)
            not_due = None
        held = [c for c in self.credentials() if c.group == group]
        if not_due is not None and not renewal.not_due_credible(not_due, held):
            # A time after the copies held end is no renewal date: tried again as after a failure, and never
            # "they can still be shown" (review R3, 4).
            from credentials.i18n import format_date

            words = {w: messages.t("renew.not_due_late", w, date=format_date(not_due.date(), w)) for w in ("en", lang)}
            detail, said, not_due = words["en"], words[lang], None
        current = self._grant(group)
        if current is not None and current.lease_holder == grant.lease_holder:
            # Refused as not due (review J, M1), the wallet does not ask by itself before the issuer said, nor
            # past the copies' end or renewal.NOT_DUE_MAX (review R3, 4).
            self._save_grant(group, current.after(now, error=detail).not_due_until(now, at=not_due, copies=held),
                             grant.lease_holder)
        if not_due is not None:
            return self._outcome(group, "not_due", lang, until=not_due.isoformat())
        return self._outcome(group, "failed", lang, detail=said)

    def _outcome(self, group: str, outcome: str, lang: str, *, detail: str = "",
                 until: str | None = None) -> RenewalOutcome:
        """The :class:`RenewalOutcome` of card ``group`` (``detail`` in the worker's words)."""
        copies = [c for c in self.credentials() if c.group == group]
        card = self._card(copies, lang) if copies else None
        return RenewalOutcome(group, outcome, card.title if card else "", card.issuer_name if card else "",
                              detail, until)

    def _renew_leased(self, group: str, grant: RenewalGrant, now: datetime, budget: _Budget,
                      lang: str) -> RenewalOutcome:
        """One renewal of the card ``group`` with its leased ``grant``.

        1. The refresh (RFC 6749 §6, with the grant's DPoP key and the client attestation): refused
           (``invalid_grant``: the document withdrawn, suspended for good, ended, the grant revoked),
           the grant is dropped and the worker told to ask the institution for a new offer
           (``refused``); any other failure keeps it, to be tried again. The rotated refresh token is
           written at once (the one sent is spent).
        2. Per form, a credential request with fresh keys, ``c_nonce`` and key attestation
           (:func:`wallet.receive.obtain_renewed`).
        3. The receipt checks of any issuance (:meth:`_receipt`), and the new copies must carry the
           card's document (:func:`_same_card`); then, in one store transaction, they take the place
           of the card's copies in the forms that came (with their keys), and the grant is released.
           Nothing of the card changes before that: a failure keeps the copies held and says why.
        4. ``credential_accepted`` (§11), and the new copies' status, while the budget lasts.
        """
        holder = grant.lease_holder
        issuers = self.trust.issuers(now)  # first: without it nothing received could be kept
        dpop = DpopSession(load_key(grant.dpop_key))
        if budget.spent():
            raise TransportError("Renewing the copies: no time was left this time")
        try:
            access = refresh_grant(self.http, token_endpoint=grant.token_endpoint, refresh_token=grant.refresh_token,
                                   dpop=dpop, token_auth_methods=grant.token_auth_methods, audience=grant.as_issuer,
                                   challenge_endpoint=grant.challenge_endpoint, attester=self.provider, now=now,
                                   seconds=budget.seconds())
        except ProtocolError as exc:
            if exc.error != "invalid_grant":
                raise
            # RFC 6749 §5.2: the grant is no longer good (withdrawn, ended, revoked): it is dropped, and
            # the copies held stay as they are, until they end.
            self._save_grant(group, None, holder)
            return self._outcome(group, "refused", lang, detail=exc.message)
        except MalformedTokenAnswer as exc:
            if exc.rotated is not None:  # the one sent may be revoked already (rotation, §6)
                self._save_grant(group, replace(grant, refresh_token=exc.rotated), holder)
            raise
        grant = replace(grant, refresh_token=access.refresh_token)
        self._save_grant(group, grant, holder)  # the old one is spent: the rotated one is kept at once
        failures: list[CredentialError] = []
        batches = obtain_renewed(self.http, _renewal_offer(grant), access, dpop=dpop,
                                 copies=self.settings.batch_size, now=now, attester=self.provider,
                                 failures=failures, seconds=budget.seconds)

        def tell(batch: IssuedCredentials, event: str, detail: str | None) -> None:
            if budget.spent():
                return  # a courtesy (§11), not worth the worker's wait
            try:
                send_notification(self.http, grant.notification_endpoint, batch, event, now=now,
                                  description=detail, seconds=budget.seconds())
            except CredentialError:
                pass

        new, _groups, stored = self._receipt(batches, failures, issuer_url=grant.issuer_url, issuers=issuers,
                                             now=now, tell=tell)
        if not new:
            raise failures[0] if failures else MalformedError("the institution sent no new copy")
        held = [c for c in self.credentials() if c.group == group]
        try:
            _same_card(held, new)
        except RenewalDiffersError:
            for batch in stored:
                tell(batch, "credential_failure", RenewalDiffersError.code)
            raise
        signers: tuple[str, ...] = ()
        if renewal.why_due(new, now, self.today(), notice=self._notice()) == renewal.ENDING and not budget.spent():
            # Still ending: under which signers, so that they are not renewed again until another comes.
            signers = self._issuer_signers(grant.issuer_url, budget.seconds()) or ()
        with self.store.transaction() as doc:
            grants = doc.setdefault("renewals", {})
            if not _holds(grants.get(group), holder) or not any(c.get("group") == group for c in doc["credentials"]):
                # The card was removed meanwhile (with its grant), or the lease lapsed and another process
                # renewed it: the new copies are not stored, and the issuer hears they were deleted.
                for batch in stored:
                    tell(batch, "credential_deleted", "removed by the holder")
                return self._outcome(group, "failed", lang, detail=messages.explain("", RENEWED_ELSEWHERE, lang))
            came = {c.configuration_id for c in new}
            new, erased = _renewed_in_place(doc, group, new, now)
            # Forms whose new copies end sooner than those held (L4): the issuer hears they were not
            # taken (credential_failure, §11), so that it keeps the held ones valid.
            kept = came - {c.configuration_id for c in new}
            copies = [StoredCredential.from_dict(c) for c in doc["credentials"] if c.get("group") == group]
            # A renewal that did not move the copies' end (the institution signs under the same
            # certificate) is not tried again by itself for a day: it would change nothing.
            still = renewal.why_due(copies, now, self.today(), notice=self._notice())
            stalled = core.copies_end(copies, now) if still == renewal.ENDING else None
            grants[group] = replace(grant.after(now, error=failures[0].message if failures else "",
                                                wait=still is not None),
                                    stalled_end=stalled, stalled_signers=signers if stalled else ()).to_dict()
            if not new:
                grants[group] = grant.after(now, error=SOONER_KEPT).to_dict()
        self._close_open(erased, RENEWED_REQUEST, RENEWED_SHOWING)
        for batch in stored:
            if batch.configuration_id in kept:
                tell(batch, "credential_failure", "the new copies end sooner than those held")
            else:
                tell(batch, "credential_accepted", None)
        if not new:
            return self._outcome(group, "failed", lang, detail=messages.explain("", SOONER_KEPT, lang))
        if not budget.spent():
            left = None if budget.deadline is None else budget.deadline - time.monotonic()
            self._refresh_status(new, now, timeout=budget.seconds(), budget=left)
        ends = [c.exp for c in new if c.exp is not None]
        until = datetime.fromtimestamp(min(ends), UTC).astimezone().date().isoformat() if ends else None
        return self._outcome(group, "renewed", lang, detail=_said(failures[0], lang) if failures else "",
                             until=until)

    # --- present -------------------------------------------------------------------------------

    def open_request(self, link: str, lang: str) -> ConsentRequest:
        """Fetch and verify the request, check the verifier, match DCQL; nothing is sent yet.

        Before matching, the status of every held document of a requested type is fetched again
        (draft-ietf-oauth-status-list §8.3, best effort: :meth:`_refresh_status`), so that a document
        the issuer has withdrawn or suspended since the last check is not offered while another one
        is usable (OpenID4VP 1.0 §6.4; the wallet's preference is :func:`core.match`'s).
        """
        self.retry_revocations()  # a network action: the grants of deleted cards go too
        now = self.clock()
        parsed = parse_request_link(link)
        wallet_nonce = secrets.token_urlsafe(16) if parsed.request_uri_method == "post" else None
        token = fetch_request_object(
            self.http, parsed, wallet_nonce=wallet_nonce, allow_loopback_http=self.settings.allow_loopback_http
        )
        verifiers = self.trust.verifiers(now)
        try:
            request, _ = self._placed("verifiers", verifiers, now, lambda held: core.verify_request(
                token, link_client_id=parsed.client_id, wallet_nonce=wallet_nonce, verifiers=held, now=now))
        except RequestRejected as exc:
            self._send_rejection(exc)
            raise
        # Where the answer would go, judged before the worker is asked (it was only when sending): a
        # request whose response_uri no answer can reach is refused now. No error can go there either
        # (OpenID4VP §8.5: it is the only place an error is sent).
        check_url(request.response_uri, "the response address",
                  allow_loopback_http=self.settings.allow_loopback_http)
        wanted = core.requested_types(request)
        # Only the requested types, since each list fetched adds to the worker's wait before the
        # inspector, and tells the institution when its document is shown: not a document found
        # valid minutes ago (the verifier checks it anyway), but one never checked, or recorded as
        # withdrawn or suspended (a suspension can be lifted, draft-ietf-oauth-status-list §7). A
        # short timeout: on a site with a poor connection the worker is not kept waiting.
        self._refresh_status([c for c in self.credentials()
                              if c.vct in wanted and (c.exp is None or c.exp > now.timestamp())
                              and not _recently_valid(c, now)], now, timeout=_REQUEST_STATUS_TIMEOUT,
                             budget=_REQUEST_STATUS_BUDGET)
        held = self.credentials()
        found, satisfiable = core.choices(request, held, now=now)
        selection = {qid: answers[0] for qid, answers in found.items()}
        items: list[ConsentItem] = []
        options: dict[str, tuple[tuple[core.ClaimPath, ...], ...]] = {}
        for query_id, (cred, paths) in selection.items():
            item, options[query_id] = self._answer(request, query_id, cred, paths, held, lang)
            items.append(item)
        cards = {c.group: c for c in self.cards(lang)} if any(len(a) > 1 for a in found.values()) else {}
        choices = {qid: tuple(ConsentChoice(c.group, _choice_label(cards[c.group], c, lang), n == 0,
                                            cards[c.group].past) for n, (c, _) in enumerate(answers))
                   for qid, answers in found.items() if len(answers) > 1}
        ended: tuple[str, ...] = ()
        missing: tuple[str, ...] = ()
        if not satisfiable:  # a document of the type asked for, left out because its validity is over
            over = {c.group for c in held if c.vct in wanted and c.exp is not None and c.exp <= now.timestamp()}
            live = {c.group for c in held if c.vct in wanted and (c.exp is None or c.exp > now.timestamp())}
            gone = over - live
            ended = tuple(f"{card.title}: {standing_words(card, lang)}" for card in
                          (self._card([c for c in held if c.group == g], lang) for g in sorted(gone)))
            # By name: a request names each document under its aliases too (an older vct, the mdoc doctype).
            kinds = {core.type_title(c.vct, lang) for c in held}
            missing = tuple(title for title in dict.fromkeys(core.type_title(vct, lang) for vct in sorted(wanted))
                            if title not in kinds)
        consent = ConsentRequest(
            id=secrets.token_urlsafe(16),
            verifier_id=request.verifier_id,
            verifier_name=request.verifier_name,
            verifier_country=request.verifier_country,
            client_id=request.client_id,
            purpose=core.purpose_in(request, lang),
            items=tuple(items),
            satisfiable=satisfiable,
            request=request,
            created=time.monotonic(),
            # Kept without the key and the text: what leaves is signed with a copy read from the store.
            selection={q: (replace(c, private_key="", credential=""), p) for q, (c, p) in selection.items()},
            options=options,
            ended=ended,
            missing=missing,
            lang=lang,
            retention=retention_words(request.verifier_name, request.client_metadata, lang),
            policy_uri=registered_policy_uri(verifiers, request.verifier_id),
            choices=choices,
            alternatives={qid: tuple((replace(c, private_key="", credential=""), p) for c, p in answers)
                          for qid, answers in found.items()},
        )
        with self._lock:
            self._expire()
            self._requests[consent.id] = consent
        return consent

    def _answer(self, request: core.VerifiedRequest, query_id: str, cred: StoredCredential,
                paths: tuple[core.ClaimPath, ...], held: list[StoredCredential], lang: str,
                ) -> tuple[ConsentItem, tuple[tuple[core.ClaimPath, ...], ...]]:
        """What the consent screen lists for ``cred`` (with its text) answering ``query_id`` with
        ``paths`` (:meth:`_consent_item`, with its document's warning), and every option of the query it
        answers that asks no more (the verifier's order; :attr:`ConsentRequest.options`): a claim not in
        all of them may be left out (OpenID4VP §6.4.1)."""
        answering = tuple(o for o in core.claim_options(request, query_id, cred) if set(o) <= set(paths))
        options = answering if paths in answering else (paths, *answering)
        required = set(paths).intersection(*(set(o) for o in options))
        card = self._card([c for c in held if c.group == cred.group], lang, other=core.other_persons(held),
                          today=self.verifiers_today(request.verifier_country))
        item = self._consent_item(query_id, cred, paths, lang, required=required)
        return replace(item, warning=card.warning, notice=warning_words(card, lang)), options

    def choose(self, request_id: str, query_id: str, group: str) -> ConsentRequest:
        """The worker shows another of the documents answering the request's credential query
        ``query_id`` (:attr:`ConsentRequest.choices`; OpenID4VP 1.0 §6.4: any credential satisfying the
        query may be presented): the consent lists what that one sends (its first option the verifier
        accepts, :func:`core.choices`), and agreeing sends it. Nothing leaves yet. NotFoundError when
        ``group`` is none of them (:data:`NOT_AN_ANSWER`), was removed meanwhile, or the request is over."""
        consent = self.pending_request(request_id)
        found = next(((c, p) for c, p in consent.alternatives.get(query_id, ()) if c.group == group), None)
        if found is None:
            raise NotFoundError(NOT_AN_ANSWER)
        cred, paths = found
        held = self.credentials()
        copy = self._fresh_copy(cred.group, cred.format)
        if copy is None:  # removed while the request waited
            raise NotFoundError(REMOVED_REQUEST)
        item, options = self._answer(consent.request, query_id, copy, paths, held, consent.lang)
        chosen = replace(
            consent,
            items=tuple(item if i.query_id == query_id else i for i in consent.items),
            selection={**consent.selection, query_id: (cred, paths)},
            options={**consent.options, query_id: options},
            choices={**consent.choices, query_id: tuple(replace(c, chosen=c.group == group)
                                                        for c in consent.choices.get(query_id, ()))})
        with self._lock:
            if request_id not in self._requests:
                raise NotFoundError("This request was already answered.")
            self._requests[request_id] = chosen
        return chosen

    def _consent_item(self, query_id: str, cred: StoredCredential, paths: tuple[core.ClaimPath, ...], lang: str, *,
                      required: set[core.ClaimPath], optional: dict[core.ClaimPath, bool] | None = None,
                      ) -> ConsentItem:
        """What the consent screen lists for one document (``cred``, with its text) answering with
        ``paths``: what leaves, each marked optional unless it leaves anyway (or as ``optional``
        says), and what leaves whatever is asked. A claim leaves anyway when the ``required`` paths
        send all it holds back: its Disclosure, and every one below it, goes with a claim sent (a
        street under a required ``address``, RFC 9901 §4.2.6), or it has none, the issuer having put
        it in plain view (:func:`core.always_sent`): leaving it out would hold nothing back, so it is
        not offered.

        What leaves whatever is asked (``always``) is listed down to the plain parts of a partly
        disclosable claim, but for those under a claim listed as leaving (not optional): the plain
        ``locality`` of an optional ``address`` is listed there, since it leaves if the address is
        unticked (only the address's Disclosures stay back), and so is a plain array holding
        Disclosures, whole."""
        # What leaves, not only what was asked: a part of a claim the issuer disclosed whole is that claim.
        shown = _shown(cred, paths)
        needed = set(_shown(cred, tuple(p for p in paths if p in required)))
        needed |= core.always_sent(cred.credential, shown, cred.format)
        sent = core.disclosures_sent(cred.credential, [p for p in paths if p in required], cred.format)
        needed |= {p for p in shown if core.disclosures_sent(cred.credential, [p], cred.format) <= sent}
        flags = {p: optional.get(p, False) if optional is not None else p not in needed for p in shown}
        leaving = [p for p in shown if not flags[p]]
        always = [p for p in core.always_visible(cred.credential, cred.format)
                  if not any(p[:len(s)] == s for s in leaving)]
        return ConsentItem(
            query_id=query_id,
            group=cred.group,
            title=core.type_title(cred.vct, lang),
            claims=tuple(replace(self._consent_claim(cred, p, lang), optional=flags[p],
                                 left_out=_if_left_out(cred, p, lang) if flags[p] else "") for p in shown),
            always=tuple(self._consent_claim(cred, p, lang) for p in always),
        )

    def _leaving_out(self, consent: ConsentRequest,
                     withhold: Collection[tuple[str, core.ClaimPath]]) -> ConsentRequest:
        """``consent`` answering without the optional claims the worker unticked (``withhold``: query
        id and claim path as listed): for each document, the first option of the request
        (:attr:`ConsentRequest.options`, the verifier's order) that asks none of them, so the
        largest the verifier accepts of what the worker kept. WithheldError when the verifier accepts
        none (nothing is sent; the request stays open).

        A claim unticked holds back the Disclosures it would send that the required claims do not
        (:func:`core.disclosures_sent`); a claim kept that would send any of them is left out too
        (one inside the unticked claim, or one holding it: an ``address`` whose street was unticked),
        so that nothing unticked leaves."""
        withheld = {(q, tuple(p)) for q, p in withhold}
        items: list[ConsentItem] = []
        selection = dict(consent.selection)
        for item in consent.items:
            dropped = {c.path for c in item.claims if c.optional and (item.query_id, c.path) in withheld}
            if not dropped:
                items.append(item)
                continue
            cred, paths = consent.selection[item.query_id]
            copy = self._fresh_copy(cred.group, cred.format)
            if copy is None:
                raise NotFoundError(REMOVED_REQUEST)
            options = consent.options.get(item.query_id, (paths,))
            required = set(paths).intersection(*(set(o) for o in options))
            held_back = (core.disclosures_sent(copy.credential, dropped, copy.format)
                         - core.disclosures_sent(copy.credential, required, copy.format))
            kept = {q for q in paths if q in required or (
                not set(_shown(copy, (q,))) & dropped
                and not core.disclosures_sent(copy.credential, [q], copy.format) & held_back)}
            option = next((o for o in options if set(o) <= kept), None)
            if option is None:
                raise WithheldError("The request cannot be answered without some of what you left out. "
                                    "Nothing was sent.")
            flags = {c.path: c.optional for c in item.claims}
            rebuilt = self._consent_item(item.query_id, copy, option, consent.lang, required=set(), optional=flags)
            items.append(replace(rebuilt, warning=item.warning, notice=item.notice))
            selection[item.query_id] = (cred, option)
        return replace(consent, items=tuple(items), selection=selection)

    @staticmethod
    def _consent_claim(cred: StoredCredential, path: core.ClaimPath, lang: str) -> ConsentClaim:
        shown = path[1:] if cred.format == "mso_mdoc" else path  # an mdoc path starts with its namespace
        readable = core.readable_path(cred, shown)
        value = core.claim_value(cred.claims, shown, lang)
        if _is_a1(cred.vct) and tuple(readable) == _STATUS_CONFIRMATION:  # as the card shows it
            return ConsentClaim(path, messages.t("claim.status_confirmation", lang), _status_code_meaning(value, lang))
        return ConsentClaim(path, core.claim_label(cred.vct, readable, lang), value)

    def pending_request(self, request_id: str) -> ConsentRequest:
        with self._lock:
            self._expire()
            consent = self._requests.get(request_id)
            closed = self._closed.get(request_id)
        if consent is None and closed is not None:  # its document was removed or renewed (:meth:`_close_open`)
            raise NotFoundError(closed)
        if consent is None:
            raise NotFoundError("This request is no longer open here. Scan the inspector's QR code again.")
        return consent

    def share(self, request_id: str, withhold: Collection[tuple[str, core.ClaimPath]] = ()) -> PresentOutcome:
        """Build the presentations the worker agreed to and send them (consent given), without the
        optional claims in ``withhold`` (query id, claim path as the consent listed it: :meth:`_leaving_out`)."""
        chosen = self._leaving_out(self.pending_request(request_id), withhold) if withhold else None
        consent = self._take(request_id)
        if chosen is not None:
            consent = replace(consent, items=chosen.items, selection=chosen.selection)
        selection = consent.selection
        if not consent.satisfiable:
            return self.decline_consent(consent)
        now = self.clock()
        entry = _log_entry(consent, "shared", now)
        vp_token: dict[str, list[str]] = {}
        used: list[str] = []
        with self._answer_or_tell(consent, entry):
            held = {c.id for c in self.credentials()}
            for query_id, (cred, paths) in selection.items():
                copy = self._fresh_copy(cred.group, cred.format)
                if copy is None:  # the worker removed the document (in another wallet process) while it waited
                    self._refuse(consent, "access_denied", _NOT_HELD)
                    raise NotFoundError(REMOVED_REQUEST)
                if cred.id not in held:  # renewed meanwhile (by another wallet process): not what the screen showed
                    raise NotFoundError(RENEWED_REQUEST)
                if copy.format == "mso_mdoc":
                    vp_token[query_id] = [core.present_mdoc(copy.credential, paths, load_key(copy.private_key),
                                                            consent.request)]
                else:
                    vp_token[query_id] = [
                        core.present(
                            copy.credential, paths, load_key(copy.private_key),
                            nonce=consent.request.nonce, aud=consent.request.client_id, now=now,
                        )
                    ]
                used.append(copy.id)
            form = core.response_form(consent.request, vp_token)
        # Counted as used before it leaves: a verifier that takes the answer and then fails (or never
        # answers) must not make the wallet send the same signature and key to the next one.
        self._count_use(used)
        try:
            redirect = post_response(
                self.http, consent.request.response_uri, form, allow_loopback_http=self.settings.allow_loopback_http
            )
        except CredentialError as exc:
            self._append_log(replace(entry, outcome="failed", detail=exc.message[:200]))
            # Refused, or lost on the way: the verifier (ours releases a request whose answer it could not
            # take) is told in the background that no answer comes, never holding up the worker's page a
            # second time when it does not answer at all; the worker is shown why sending failed.
            self._refuse_in_background([consent], "server_error", _NOT_ANSWERED)
            raise
        self._append_log(entry)
        return PresentOutcome("shared", consent.verifier_name, redirect,
                              tuple(dict.fromkeys(i.notice for i in consent.items if i.notice)))

    @contextlib.contextmanager
    def _answer_or_tell(self, consent: ConsentRequest, entry: LogEntry) -> Iterator[None]:
        """Making the answer to ``consent``, a request already taken from those waiting (:meth:`_take`):
        when it fails (a stored key that cannot be read, a presentation that cannot be built), its
        verifier is told that no answer comes (OpenID4VP 1.0 §8.5 ``server_error``, :meth:`_refuse`), else
        the inspector's page would wait until the request expires, and the worker is told that it was
        told (:class:`NotAnsweredError`, with what failed; the log records it). A document removed or
        renewed meanwhile is :meth:`share`'s own: refused there, or left open for the same QR code."""
        try:
            yield
        except NotFoundError:
            raise
        except Exception as exc:
            told = self._refuse(consent, "server_error", _NOT_ANSWERED)
            if not isinstance(exc, CredentialError) or isinstance(exc, WalletLockedError):
                raise  # a fault of the wallet's own (its page's 500), or the wallet locked meanwhile (to unlock)
            self._append_log(replace(entry, outcome="failed", detail=exc.message[:200]))
            if told:
                raise NotAnsweredError(exc.message) from exc
            raise

    def _count_use(self, ids: list[str]) -> None:
        with self.store.transaction() as doc:
            for c in doc["credentials"]:
                if c["id"] in ids:
                    c["used"] = int(c.get("used", 0)) + 1

    def decline(self, request_id: str) -> PresentOutcome:
        return self.decline_consent(self._take(request_id))

    def _send_rejection(self, rejected: RequestRejected) -> None:
        """Tell an authenticated verifier why its request gets no answer (§8.5), at the response_uri
        the request checks vouched for; best effort: the worker is shown the error either way.

        Sent without asking the worker (§15.1 says SHOULD ask first): the error follows from the
        request alone, never from the documents held or their values (§15.4.1), and the verifier
        already knows its request was fetched; it spares the inspector waiting for the expiry."""
        form = error_response_form(rejected.payload, rejected.error, rejected.message)
        try:
            post_response(self.http, str(rejected.payload["response_uri"]), form,
                          allow_loopback_http=self.settings.allow_loopback_http)
        except CredentialError:
            pass

    def decline_consent(self, consent: ConsentRequest) -> PresentOutcome:
        """Send the spec's refusal (§8.5) and record it: ``access_denied`` (declined, or nothing held
        answers the request), or ``vp_formats_not_supported`` when it asks for no format this wallet
        presents (which says nothing of the documents it holds)."""
        now = self.clock()
        if _formats_unsupported(consent.request):
            form = core.error_form(consent.request, "vp_formats_not_supported",
                                   "This wallet presents none of the requested credential formats.")
        else:
            form = core.error_form(consent.request, "access_denied", "The holder declined to share.")
        entry = _log_entry(consent, "declined", now)
        try:
            redirect = post_response(
                self.http, consent.request.response_uri, form, allow_loopback_http=self.settings.allow_loopback_http
            )
        finally:
            self._append_log(entry)
        return PresentOutcome("declined", consent.verifier_name, redirect)

    def _take(self, request_id: str) -> ConsentRequest:
        consent = self.pending_request(request_id)
        with self._lock:
            if self._requests.pop(request_id, None) is None:
                raise NotFoundError("This request was already answered.")
        return consent

    def _fresh_copy(self, group: str, form: str) -> StoredCredential | None:
        copies = sorted((c for c in self.credentials() if c.group == group and c.format == form), key=lambda c: c.used)
        return copies[0] if copies else None

    def _append_log(self, entry: LogEntry) -> None:
        with self.store.transaction() as doc:
            doc["log"].append(entry.to_dict())

    def _expire(self) -> None:
        limit = time.monotonic() - self.settings.pending_ttl
        for key in [k for k, (_, t) in self._offers.items() if t < limit]:
            del self._offers[key]
        for key in [k for k, r in self._requests.items() if r.created < limit]:
            del self._requests[key]
        for key in [k for k, (_, _, t) in self._authorizations.items() if t < limit]:
            del self._authorizations[key]


_STATUS_RANK = {"valid": 0, "unknown": 1, "suspended": 2, "distrusted": 3, "stopped": 4, "replaced": 5, "invalid": 6}


@dataclass(frozen=True, slots=True)
class _Budget:
    """The time one exchange about a pending document may take (``per``; the wallet's longest,
    :data:`~wallet.http.MAX_RESPONSE_SECONDS`, when None), within what is left of the caller's
    ``deadline`` (``time.monotonic()``), if any. Every exchange about an entry takes its time from
    here, and :meth:`spent` is asked before each: past the deadline nothing more is begun (the last
    exchange begun is given at least half a second)."""

    per: float | None
    deadline: float | None

    def spent(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def seconds(self) -> float | None:
        if self.deadline is None:
            return self.per
        left = max(0.5, self.deadline - time.monotonic())
        return min(MAX_RESPONSE_SECONDS if self.per is None else self.per, left)


def _shown(cred: StoredCredential, paths: Collection[core.ClaimPath]) -> tuple[core.ClaimPath, ...]:
    """What answering with ``paths`` shows of ``cred`` (its text): an SD-JWT VC's Disclosures whole."""
    return tuple(paths) if cred.format == "mso_mdoc" else tuple(sd_jwt.disclosed_for(cred.credential, paths))


def _holds(raw: Any, holder: str | None) -> bool:
    """Whether the stored pending entry ``raw`` is still leased to ``holder`` (a claim's token)."""
    return holder is not None and isinstance(raw, dict) and raw.get("lease_holder") == holder


def _pending_entry(offer: ResolvedOffer, deferred: list[DeferredCredentials], institution: str,
                   now: datetime) -> PendingIssuance:
    """What the wallet keeps of an offer the institution deferred (§8.3): one token for all of it,
    under ``institution``, the name the issuers list gives the institution it comes from."""
    first = deferred[0]
    interval = max(d.interval for d in deferred)
    assert offer.deferred_endpoint is not None
    return PendingIssuance(
        id=secrets.token_hex(8), issuer_url=offer.credential_issuer, institution=institution,
        deferred_endpoint=offer.deferred_endpoint, token_endpoint=offer.token_endpoint,
        notification_endpoint=offer.notification_endpoint, as_issuer=offer.as_issuer or offer.credential_issuer,
        token_auth_methods=offer.token_auth_methods, challenge_endpoint=offer.challenge_endpoint,
        access_token=first.access_token, token_type=first.token_type, refresh_token=first.refresh_token,
        dpop_key=key_to_pem(first.dpop.key) if first.dpop is not None else None,
        transactions=tuple(Transaction(d.transaction_id, d.configuration_id, d.vct, d.format,
                                       tuple(key_to_pem(k) for k in d.keys)) for d in deferred),
        interval=interval, asked_at=now.isoformat(), next_poll=(now + timedelta(seconds=interval)).isoformat(),
        renewal=_grant_of(offer, [o for o in offer.offered if any(d.configuration_id == o.configuration_id
                                                                  for d in deferred)],
                          refresh_token="", dpop_key="", now=now).to_dict()
        if first.dpop is not None and first.token_type == _BOUND and first.refresh_token else None)


def _grant_of(offer: ResolvedOffer, offered: list[OfferedCredential], *, refresh_token: str, dpop_key: str,
              now: datetime) -> RenewalGrant:
    """What renews the copies of the forms ``offered`` of ``offer`` (:class:`RenewalGrant`)."""
    return RenewalGrant(
        issuer_url=offer.credential_issuer, token_endpoint=offer.token_endpoint,
        credential_endpoint=offer.credential_endpoint, nonce_endpoint=offer.nonce_endpoint,
        notification_endpoint=offer.notification_endpoint, as_issuer=offer.as_issuer or offer.credential_issuer,
        token_auth_methods=offer.token_auth_methods, challenge_endpoint=offer.challenge_endpoint,
        batch_size=offer.batch_size, refresh_token=refresh_token, dpop_key=dpop_key,
        forms=tuple(RenewalForm(o.configuration_id, o.format, o.vct, o.key_attestations_required,
                                o.attestation_proof_levels) for o in offered),
        granted_at=now.isoformat(), revocation_endpoint=offer.revocation_endpoint)


def _offer_grant(offer: ResolvedOffer, stored: list[IssuedCredentials], now: datetime) -> RenewalGrant | None:
    """The grant of an offer whose documents were all stored at once: one refresh token, bound to the
    wallet's DPoP key (RFC 9449 §5), for the forms that arrived; None when the issuer gave none (or a
    Bearer one: this wallet renews only with a sender-constrained grant)."""
    tokens = {(b.refresh_token, b.token_type) for b in stored}
    if not stored or len(tokens) != 1 or stored[0].dpop is None:
        return None
    refresh_token, token_type = next(iter(tokens))
    if refresh_token is None or token_type != _BOUND:
        return None
    came = {b.configuration_id for b in stored}
    return _grant_of(offer, [o for o in offer.offered if o.configuration_id in came], refresh_token=refresh_token,
                     dpop_key=key_to_pem(stored[0].dpop.key), now=now)


def _deferred_grant(entry: PendingIssuance, stored: list[IssuedCredentials], now: datetime) -> RenewalGrant | None:
    """The grant of a deferred offer whose documents came (:meth:`WalletService._receive_deferred`): its
    entry's renewal template with the entry's refresh token and DPoP key as they are now, for the forms
    that arrived; None for an entry kept without one (before the wallet renewed copies) or a Bearer grant."""
    if entry.renewal is None or not entry.refresh_token or not entry.dpop_key or entry.token_type != _BOUND:
        return None
    came = {b.configuration_id for b in stored}
    try:
        grant = RenewalGrant.from_dict({**entry.renewal, "refresh_token": entry.refresh_token,
                                        "dpop_key": entry.dpop_key, "granted_at": now.isoformat()})
        return replace(grant, forms=tuple(f for f in grant.forms if f.configuration_id in came) or grant.forms)
    except MalformedError:
        return None


def _keep_grant(doc: dict[str, Any], new: list[StoredCredential], grant: RenewalGrant | None) -> None:
    """Keep ``grant`` for the card the ``new`` copies went to (in place of the card's earlier one: the
    newest offer's is the one the institution gave last). One refresh token renews one card: copies that
    went to several cards keep none (renewing one would spend the other's token)."""
    groups = {c.group for c in new}
    if grant is not None and len(groups) == 1:
        doc.setdefault("renewals", {})[groups.pop()] = grant.to_dict()


def _renewal_offer(grant: RenewalGrant) -> ResolvedOffer:
    """The issuer as the grant describes it, for the credential requests of a renewal (no offer: no
    pre-authorized code, no transaction code)."""
    return ResolvedOffer(
        credential_issuer=grant.issuer_url, pre_authorized_code=None, tx_code=None,
        offered=tuple(OfferedCredential(f.configuration_id, f.format, f.vct, (), f.key_attestations_required,
                                        f.attestation_proof_levels) for f in grant.forms),
        credential_endpoint=grant.credential_endpoint, nonce_endpoint=grant.nonce_endpoint,
        notification_endpoint=grant.notification_endpoint, token_endpoint=grant.token_endpoint,
        batch_size=grant.batch_size, dpop_algs=("ES256",), issuer_display=(), as_issuer=grant.as_issuer,
        token_auth_methods=grant.token_auth_methods, challenge_endpoint=grant.challenge_endpoint)


def _same_card(held: list[StoredCredential], new: list[StoredCredential]) -> None:
    """New copies carry the card's document: the same type, issuer (its trust list entity) and number,
    and the same value of every claim both carry (:func:`core.same_forms`, form by form), else
    :class:`RenewalDiffersError` (naming what differs, never values): a renewal renews the copies of
    one document, and a corrected document comes as a new one (a replacement, with its own offer)."""
    if not held:
        raise RenewalDiffersError("the document was removed from the wallet meanwhile")
    for copy in new:
        same_form = [c for c in held if c.format == copy.format] or held
        old = same_form[0]
        if (copy.vct, copy.issuer_id, _document_key(copy)) != (old.vct, old.issuer_id, _document_key(old)):
            raise RenewalDiffersError("the institution sent another document than the one held")
        try:
            core.same_forms([old, copy])
        except CredentialError as exc:
            raise RenewalDiffersError(f"the new copies say otherwise than the ones held: {exc.message}") from exc


def _renewed_in_place(doc: dict[str, Any], group: str, new: list[StoredCredential], now: datetime,
                      ) -> tuple[list[StoredCredential], list[StoredCredential]]:
    """The ``new`` copies of card ``group`` take the place of its copies in the forms that came (those
    erased with their keys); the forms that did not come stay, and so do those whose new copies end
    sooner while the held ones are not used up (:func:`renewal.ends_sooner`; review J, L4). Returns the
    new copies stored (in the card's group) and the copies erased (what an open request or showing may
    still point at)."""
    held = [StoredCredential.from_dict(c) for c in doc["credentials"] if c.get("group") == group]
    new = [replace(c, group=group) for c in new
           if not renewal.ends_sooner([h for h in held if h.format == c.format],
                                      [n for n in new if n.format == c.format], now)]
    forms = {c.format for c in new}
    erased = [StoredCredential.from_dict(c) for c in doc["credentials"]
              if c.get("group") == group and c.get("format") in forms]
    doc["credentials"] = [c for c in doc["credentials"] if not (c.get("group") == group and c.get("format") in forms)]
    doc["credentials"].extend(c.to_dict() for c in new)
    return new, erased


def _said(exc: CredentialError, lang: str) -> str:
    """A failure in the worker's words (:func:`messages.explain`, by its protocol or wallet code)."""
    return messages.explain(exc.error if isinstance(exc, ProtocolError) else exc.code, exc.message, lang)


@dataclass(frozen=True, slots=True)
class RenewalOutcome:
    """What renewing a card's copies came to (:meth:`WalletService.renew`).

    ``outcome``: ``renewed`` (new copies stored: ``until``, the day the earliest of them ends; ``detail``
    says why a form of the card was not renewed, when one was not), ``failed`` (nothing changed: the
    copies held are kept; ``detail`` says why), ``refused`` (the institution no longer renews them:
    the grant is dropped, and the worker asks the institution for a new offer), ``not_due`` (the
    institution renews them from ``until``, an ISO 8601 UTC time: nothing is wrong, the copies held
    stay; an automatic renewal that comes to this is not shown). ``detail`` is in the worker's language."""

    group: str
    outcome: str
    title: str
    issuer_name: str
    detail: str = ""
    until: str | None = None


def renewal_words(outcome: RenewalOutcome, lang: str) -> str:
    """What renewing a card's copies came to, in words (:class:`RenewalOutcome`)."""
    from credentials.i18n import format_date

    institution = outcome.issuer_name or "?"
    if outcome.outcome == "renewed":
        words = messages.t("renew.done", lang, document=outcome.title, institution=institution,
                           date=format_date(outcome.until, lang) if outcome.until else "?")
        if outcome.detail:
            words += " " + messages.t("renew.partly", lang, detail=outcome.detail)
        return words
    if outcome.outcome == "refused":
        return messages.t("renew.refused", lang, document=outcome.title, institution=institution)
    if outcome.outcome == "not_due":
        return messages.t("renew.not_due", lang, document=outcome.title, institution=institution,
                          date=messages.format_when(outcome.until, lang) if outcome.until else "?")
    return messages.t("renew.failed", lang, document=outcome.title, detail=outcome.detail or "?")


def _other_named(cred: StoredCredential, lang: str) -> str | None:
    """"This document names Tobias Krause": whom another person's A1 or card names (its section 1, its
    fields 3-5), for the worker to see whose it is; None when it names nobody (one signed before)."""
    named = core.holder_named(core.document_claims(cred))
    return messages.t("card.other_named", lang, name=named) if named else None


def _formats_unsupported(request: core.VerifiedRequest) -> bool:
    """§8.5 ``vp_formats_not_supported``: none of the request's credential queries, or none of the
    verifier's ``vp_formats_supported`` (§11.1), is a format this wallet presents."""
    ours = set(WALLET_METADATA["vp_formats_supported"])
    asked = {cq.get("format") for cq in request.dcql_query.get("credentials", []) if isinstance(cq, dict)}
    theirs = request.client_metadata.get("vp_formats_supported")
    return not asked & ours or (isinstance(theirs, dict) and not set(theirs) & ours)


def _asdict(check: StatusCheck) -> dict[str, Any]:
    return {"value": check.value, "checked_at": check.checked_at, "detail": check.detail, "list_iat": check.list_iat}


#: Seconds each ``credential_deleted`` notification may take when a pending document is removed, and
#: all of them together: the worker who removed it is not kept waiting for a courtesy (§11).
_CANCEL_NOTIFY_SECONDS = 3.0
_CANCEL_NOTIFY_BUDGET = 5.0
#: Seconds a status list may take to answer (in all) while the worker waits to present, and
#: the time after which no further list is asked for (the others keep their recorded status).
_REQUEST_STATUS_TIMEOUT = 3.0
_REQUEST_STATUS_BUDGET = 5.0
#: The institution's page answered ``temporarily_unavailable`` (an expired signer certificate, an HSM
#: not answering): the offer and the code were not used up.
UNAVAILABLE_NOW = ("The institution cannot hand over the document just now; the offer and your code were not used "
                   "up. Try again later with the same link or QR code.")
#: How long one offline QR showing may be renewed on screen with its copy (:class:`Showing`).
_SHOWING = timedelta(minutes=10)
#: The record's verifier id of an offline QR showing (no verifier is known: the code is shown, not sent).
OFFLINE = "offline"
SHOWING_OVER = "This QR code is no longer on screen. Show it again from the document."
#: A document chosen for a request that none of its credential queries takes (:meth:`WalletService.choose`).
NOT_AN_ANSWER = "That document does not answer this request. Nothing was sent."
#: Why a request waiting for consent, or a showing, was closed before its time (:meth:`WalletService._close_open`).
#: A renewed document's request stays open at the verifier until it expires: the same QR code, scanned
#: again, asks anew; a removed one's verifier is told the wallet does not hold it (:meth:`WalletService._refuse`).
#: The error_description of :meth:`WalletService._refuse`: what the verifier may know, the §8.5 code's own
#: meaning, never which document, nor whether it was removed or renewed.
_NOT_HELD = "The wallet does not hold the documents asked for."
#: The error_description of a request whose answer could not be made or sent (:meth:`WalletService._answer_or_tell`):
#: never why (a key of the worker's that cannot be read says something of the wallet only its holder needs).
_NOT_ANSWERED = "The wallet could not answer this request."
REMOVED_REQUEST = ("This document was removed from the wallet; it was not sent, and the inspector is told. Ask the "
                   "inspector to start a new check.")
REMOVED_SHOWING = "This document was removed from the wallet; its QR code is no longer shown."
RENEWED_REQUEST = ("A document this request would show was renewed in the wallet meanwhile; nothing was sent. "
                   "Scan the inspector's QR code again.")
RENEWED_SHOWING = ("This document was renewed in the wallet meanwhile, and this QR code showed its old copy. "
                   "Show it again from the document.")
#: The token type of a grant bound to the wallet's DPoP key (RFC 9449 §5): the only one it renews with.
_BOUND = "DPoP"
#: A card without a grant to renew its copies (wallet.renewal), and one another process is renewing.
NO_RENEWAL = ("This wallet cannot renew the copies of this document (it has no access from the institution for "
              "that): ask the institution for a new offer.")
RENEWING_NOW = "The wallet is renewing the copies of this document right now (in another window or terminal)."
#: A card whose document has ended by its own dates: its copies are not renewed (wallet.renewal.why_due).
ENDED_NO_RENEWAL = "This document's own last day has passed: its copies are not renewed."
RENEWED_ELSEWHERE = "This document was removed or renewed meanwhile; nothing was changed."
#: A card whose document the institution replaced by a newer one: not renewed (review R10, 6).
REPLACED_NO_RENEWAL = ("This document was replaced by a newer one: its copies are not renewed. If the new one is not "
                       "in your wallet yet, ask the institution for an offer of it.")
#: Renewed copies ending sooner than the held ones, which are not used up: the held ones stay (review J, L4).
SOONER_KEPT = "The institution sent copies that end sooner than the ones held: the ones held are kept."
#: How many closed requests and showings :class:`OpenItems` remembers the reason of.
_CLOSED_KEPT = 100
#: A document found valid this recently is presented without asking its status list again.
_RECENTLY = timedelta(minutes=10)


def _recently_valid(cred: StoredCredential, now: datetime) -> bool:
    status = cred.last_status
    if status is None or status.value != "valid":
        return False
    try:
        checked = datetime.fromisoformat(status.checked_at)
    except ValueError:
        return False
    if checked.tzinfo is None:
        checked = checked.replace(tzinfo=UTC)
    return timedelta(0) <= now - checked < _RECENTLY


#: What names the person of a PID that has no document number (PID Rulebook §3.1.2: the number is
#: optional), so that the same provider's PID of the same person is one card however often it comes.
_PID_PERSON = ("family_name", "given_name", "birthdate", "personal_administrative_number")


def _document_key(cred: StoredCredential) -> tuple[str, str, str] | None:
    """What names one document: its type, its issuer (trust list entity) and its number (an A1 in the
    EUDI model's ``document_id`` too: :func:`core.document_claims`); for a PID without a number, the
    person it names (:data:`_PID_PERSON`); None for any other document without a number, which is
    never taken for another."""
    claims = core.document_claims(cred)
    number = claims.get("document_number")
    if isinstance(number, str) and number.strip():
        return cred.vct, cred.issuer_id, number
    if core.is_pid(cred.vct) and all(isinstance(claims.get(name), str) for name in _PID_PERSON[:3]):
        return cred.vct, cred.issuer_id, "\x1f".join(str(claims.get(name) or "") for name in _PID_PERSON)
    return None


def _in_place_of_same(doc: dict[str, Any], new: list[StoredCredential],
                      groups: list[str]) -> tuple[list[StoredCredential], list[str], list[StoredCredential]]:
    """A document received again (a second offer of the same case: same type, issuer and document
    number as a card held) takes that card's place rather than making a second card: its copies join
    the card's group (its address and the worker's record of it stay) and the card's old copies in
    the forms that arrived, with their keys, are erased from ``doc``. A form that did not arrive stays
    as it was (an offer of the ISO mdoc alone leaves the SD-JWT VC, and the offline QR code only it
    has), and so does the half of an offer that arrived first when the other comes after a deferral
    (§8.3, §9): one offer brings each form once. But the forms of a card agree
    (:func:`core.same_forms`): a form kept that no longer says what the one arrived says (a
    corrected period sent in one form only) is erased too, with its keys, the newest delivery being
    the institution's current document; the card then holds the forms that arrived until the others
    come again. Returns ``new`` and ``groups`` as they are then, and the copies erased (what an open
    request or showing may still point at)."""
    held = [StoredCredential.from_dict(c) for c in doc["credentials"]]
    fresh = set(groups)
    by_key: dict[tuple[str, str, str], str] = {}
    for cred in held:
        key = _document_key(cred)
        if key is not None and cred.group not in fresh:
            by_key.setdefault(key, cred.group)
    into: dict[str, str] = {}
    for cred in new:
        key = _document_key(cred)
        if key is not None and key in by_key and cred.group not in into:
            into[cred.group] = by_key[key]
    if not into:
        return new, groups, []
    arrived = {(into[c.group], c.format) for c in new if c.group in into}
    # A form kept that no longer says what the new one says goes too (core.same_forms).
    for group in set(into.values()):
        came = [c for c in new if into.get(c.group) == group]
        stays = [c for c in held if c.group == group and (group, c.format) not in arrived]
        try:
            core.same_forms([came[0], *dict((c.format, c) for c in stays).values()])
        except CredentialError:
            arrived |= {(group, c.format) for c in stays}
    erased = [c for c in held if (c.group, c.format) in arrived]
    doc["credentials"] = [c for c in doc["credentials"] if (c.get("group"), c.get("format")) not in arrived]
    return ([replace(c, group=into.get(c.group, c.group)) for c in new],
            list(dict.fromkeys(into.get(g, g) for g in groups)), erased)


def _same_kind(old: StoredCredential, new: StoredCredential) -> bool:
    """Whether ``new`` can be the replacement of ``old``: same format and type, issued by the same
    institution on the issuers list for the same authentic source (PDA1/EHIC ``authentic_source``, an
    EUDI-model A1's ``competent_institution``: :func:`core.document_claims`; a PID has none)."""
    return (old.format == new.format and old.vct == new.vct and old.issuer_id == new.issuer_id
            and core.document_claims(old).get("authentic_source") == core.document_claims(new).get("authentic_source"))


def _log_entry(consent: ConsentRequest, outcome: str, now: datetime) -> LogEntry:
    """The worker's record of an answer: what the consent screen showed as leaving (nothing when declined)."""
    shared = outcome != "declined"
    return LogEntry(
        time=now.isoformat(),
        outcome=outcome,
        verifier_id=consent.verifier_id,
        verifier_name=consent.verifier_name,
        client_id=consent.client_id,
        purpose=consent.purpose,
        purposes=core.purposes(consent.request),
        credentials=sorted({item.group for item in consent.items}),
        vcts=sorted({cred.vct for cred, _ in consent.selection.values()}) if shared else [],
        # An mdoc path opens with its namespace, which says nothing to the worker.
        # Once each: a plain part listed as always leaving under an optional claim that left with it is that claim.
        claims=[core.path_text(claim.path[1:] if cred.format == "mso_mdoc" else claim.path)
                for item in consent.items for cred, _ in [consent.selection[item.query_id]]
                for claim in (*item.claims, *(a for a in item.always
                                              if not any(a.path[:len(c.path)] == c.path for c in item.claims)))]
        if shared else [],
    )
