"""The inspector's verification pipeline: every check, each with its own code and one sentence.

Implements standards.md §8.4 (verifier checklist) and §5.5 (OpenID4VP §8.6) for SD-JWT VC
presentations of PDA1, EHIC and PID, plus the rulebook's three validity layers (domain.md):

=====================  ===========================================================================
step code              what it checks
=====================  ===========================================================================
``disclosures``        SD-JWT parse, digests, each used once, nothing forbidden disclosed (RFC 9901 §7)
``issuer_signature``   the issuer JWT's signature with the x5c leaf key, ES256 only (our policy)
``issuer_chain``       the x5c chain to a CA certificate taken from the trust list, never the token; not
                       run (:data:`SIGNER_EXPIRED`) when it failed only because a certificate of it ended
                       after the credential was signed, and the trust list vouches for the key then
``issuer_authorised``  the trust list lets that institution issue this type, at issuance time
``key_binding``        KB-JWT: signature by the cnf key, sd_hash, this request's nonce and client_id, iat
``token_validity``     iat / nbf / exp of the token
``document_validity``  date_of_issuance / date_of_expiry of the document; not run when an expiry date the
                       verifier must see was not shown (a PID's; an A1's or EHIC's as ISO mdoc)
``coverage_period``    starting_date .. ending_date contains today (PDA1; EHIC replacement certificate: the
                       date of care when the desk checks it for one, :func:`_validity_steps`)
``status``             the institution's Token Status List: valid, or revoked/suspended/undetermined
``query``              every presentation answers its DCQL query, nothing beyond it was disclosed, the
                       set satisfies the request; optional documents not presented are named; not run
                       when a presentation failed its own checks (that check is then the reason),
                       failed when one cannot be read at all
``holder_link``        the A1 or EHIC and the PID of one answer are the same person's: the same
                       personal number where both carry one of the same state (:mod:`credentials.holder_link`);
                       never with several PIDs; not run when a PID withholds its number; an EHIC
                       or A1 shown without a PID passes with the words to check an identity document
                       when it shows what one shows, else is not run
=====================  ===========================================================================

The verdict is ``valid`` only when every step passed; ``invalid`` when one failed; otherwise
``undetermined`` (a step could not run: status list unreachable or too old, trust list missing or
older than its maximum age).
A credential signed before its signer certificate ended, with an ``exp`` beyond that end (issued before
the issuer bounded ``exp`` by its chain), is genuine but no longer checkable: RFC 5280 §6.1.3 (a)(2)
judges the chain at the time of verification, revocation need not be published for a certificate
after its end (RFC 5280 §3.3), and whoever holds the key chooses the ``iat`` the chain would be judged
at. Its verdict is ``undetermined`` (:data:`SIGNER_EXPIRED`), never ``valid``, and only when all else
holds: the same chain validates at the signed issuance time (``iat``, an MSO's ``signed``, an offline
code's ``iat``: :func:`credentials.x509.chain_ended_since`), the trust list vouches for the key then
and now (:func:`credentials.trust_list.authorised_issuer`, ``Policy.AT_ISSUANCE``: listed for the
institution at issuance, not revoked, the institution not suspended now) and the institution is
competent; otherwise the chain fails as before.
A verdict also carries :class:`Notice` items: facts about a genuine document that the one who checks
must know but that are no check of it (an EHIC of the verifier's own state, an A1 naming places of
work only in other states than the verifier's, :func:`notices`).
I/O is injected: status lists come through a ``StatusLookup`` callable.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from credentials import (
    cose,
    countries,
    dcql,
    ehic,
    eudi_pda1,
    holder_link,
    mdoc,
    pda1,
    pid,
    sd_jwt,
    sd_jwt_vc,
    status_list,
    trust_list,
)
from credentials.errors import (
    ClaimError,
    CredentialError,
    IssuerTrustError,
    KbSignatureError,
    MalformedError,
    StatusError,
    VctError,
)
from credentials.jose import b64url_decode, b64url_encode
from credentials.sd_jwt import KeyBindingPolicy
from credentials.x509 import ChainValidator, ValidatedChain, chain_ended_since, validate_chain

__all__ = [
    "COMPETENT_STATE",
    "INVALID",
    "SIGNER_EXPIRED",
    "TRUST_LIST_TOO_OLD",
    "UNDETERMINED",
    "VALID",
    "CredentialResult",
    "Notice",
    "StatusLookup",
    "StatusOutcome",
    "Step",
    "Verdict",
    "competence_problem",
    "duration_parts",
    "mdoc_json",
    "notices",
    "verify_offline",
    "verify_response",
]

VALID, INVALID, UNDETERMINED = "valid", "invalid", "undetermined"
PASSED, FAILED, NOT_RUN = "passed", "failed", "not_run"

_STEP_OF_ERROR = {
    "malformed": "disclosures", "disclosure": "disclosures", "claim": "disclosures",
    "algorithm": "issuer_signature", "issuer_signature": "issuer_signature",
    "issuer_key": "issuer_chain", "issuer_trust": "issuer_authorised",
    "key_binding": "key_binding", "sd_hash": "key_binding", "kb_signature": "key_binding", "nonce": "key_binding",
    "audience": "key_binding", "kb_freshness": "key_binding",
    "credential_validity": "token_validity", "vct": "query",
}
_STEPS = ("disclosures", "issuer_signature", "issuer_chain", "issuer_authorised", "key_binding", "token_validity",
          "document_validity", "coverage_period", "status")
_TYPES = {pda1.VCT: pda1, ehic.VCT: ehic, pid.VCT: pid}
for _module in (pda1, ehic, pid):
    for _alias in _module.ALIASES:
        _TYPES[_alias] = _module


@dataclass(frozen=True, slots=True)
class Step:
    code: str
    result: str  # passed | failed | not_run
    message: str
    key: str = ""  # finer reason for translations ("status.withdrawn"); default "<code>.<result>"
    #: Numbers the translated reason says, as (name, value) pairs: a name ending in ``_seconds`` is a
    #: duration the page writes in words (``verifier.messages.duration_words``). Never anything else.
    params: tuple[tuple[str, float], ...] = ()

    @property
    def reason_key(self) -> str:
        return self.key or f"{self.code}.{self.result}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "result": self.result, "message": self.message,
                               "key": self.reason_key}
        if self.params:
            out["params"] = dict(self.params)
        return out


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    """What the status lookup found: ``value`` (0 valid, 1 invalid, 2 suspended, 3 replaced; any other
    fails closed as invalid) or None when undetermined."""

    value: int | None
    age_seconds: float | None
    source: str  # network | cache | none
    message: str = ""
    forged: bool = False  # the list failed its signature/trust check: treated as invalid, not just unknown
    #: The status step's key and numbers (:class:`Step`) and the words it adds to ``message`` (or, with
    #: a ``value``, to its own), when the lookup has more to say: a list held past its end, what it
    #: last said and of when (``listed_at``, Unix seconds; esspass.status_client), which is a
    #: ``value`` only when final (:func:`credentials.status_list.said_when_stale`).
    key: str = ""
    params: tuple[tuple[str, float], ...] = ()
    detail: str = ""


StatusLookup = Callable[[status_list.StatusReference, trust_list.ListedEntity, datetime], StatusOutcome]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the verdict tells beside its checks: a fact about a document that passed them, which
    the one who checks must act on, but which is no defect of the document (its verdict is the
    checks'). ``key`` names the words the pages translate; ``params`` are codes they write out (a
    state's ISO code, written as its name), never personal data."""

    key: str
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "message": self.message, "params": dict(self.params)}


@dataclass
class CredentialResult:
    query_id: str
    vct: str | None = None
    doc_type: str | None = None  # set for an ISO mdoc (its claims are then its namespace's elements)
    steps: list[Step] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)
    issuer_id: str | None = None
    issuer_name: str | None = None
    #: The signing institution's state on the trust list: a PID's, when it does not show its own
    #: ``issuing_country`` (the competence rule holds a provider to its own state's PIDs).
    issuer_country: str | None = None
    status_value: int | None = None
    status_age: float | None = None
    #: Where the status came from (:attr:`StatusOutcome.source`: network, cache, none) and the reference
    #: it was looked up by (a record keeps it to look the copy up again later, verifier.records).
    status_source: str | None = None
    status_ref: status_list.StatusReference | None = None
    disclosed: tuple[tuple[str | int | None, ...], ...] = ()
    iat: int | None = None
    #: The claims as the wallet sent them, when ``claims`` reads them in our shape (an EUDI-model
    #: A1, :mod:`credentials.eudi_pda1`; an mdoc PID's Rulebook elements, :func:`pid.from_mdoc`):
    #: what the request is checked against.
    answered: dict[str, Any] | None = None
    #: The presentation could not even be decoded (no SD-JWT, no CBOR DeviceResponse): it has no check
    #: of its own to name, so the verdict says it could not be read (:func:`_query_step`).
    unreadable: bool = False

    @property
    def verdict(self) -> str:
        return _combine(self.steps)


@dataclass
class Verdict:
    verdict: str
    reason: str
    steps: list[Step]
    credentials: list[CredentialResult]
    trust_list_age: float | None
    checked_at: datetime
    #: What the verdict tells beside its checks (:func:`notices`); the first is its reason when nothing
    #: else is (a valid verdict with no notice of its own steps).
    notices: list[Notice] = field(default_factory=list)
    #: The day of care an EHIC was checked for (:func:`_validity_steps`), None: today.
    care_date: date | None = None

    @property
    def reason_key(self) -> str:
        """What the one-sentence reason says, as a key the pages translate (EN, LV, DE, FR, PL)."""
        step = self._reason_step()
        if step is not None:
            return step.reason_key
        if self.notices and self.reason == self.notices[0].message:
            return self.notices[0].key
        return "paper" if self.reason else ""

    @property
    def reason_params(self) -> dict[str, float]:
        """The numbers the reason says (:attr:`Step.params`): a trust list's age and its maximum."""
        step = self._reason_step()
        return dict(step.params) if step is not None else {}

    def _reason_step(self) -> Step | None:
        step = _problem_step(self.steps + [s for c in self.credentials for s in c.steps])
        if step is not None:
            return step
        return _notice(self.steps)  # valid, with something the inspector must know (see _NOTICES)

    def to_json(self, *, personal_data: bool = True) -> dict[str, Any]:
        params = self.reason_params
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "reason_key": self.reason_key,
            **({"reason_params": params} if params else {}),
            "checked_at": self.checked_at.isoformat(),
            "trust_list_age_seconds": self.trust_list_age,
            "notices": [n.to_json() for n in self.notices],
            **({"care_date": self.care_date.isoformat()} if self.care_date is not None else {}),
            "steps": [s.to_json() for s in self.steps],
            "credentials": [{
                "query_id": c.query_id, "vct": c.vct, "verdict": c.verdict, "issuer_id": c.issuer_id,
                "issuer_name": c.issuer_name, "status": c.status_value, "status_list_age_seconds": c.status_age,
                "steps": [s.to_json() for s in c.steps],
                **({"claims": c.claims} if personal_data else {}),
            } for c in self.credentials],
        }


#: The reason key of a trust list held but older than the verifier's maximum age.
TRUST_LIST_TOO_OLD = "issuer_authorised.trust_list_too_old"


def _trust_key(exc: CredentialError) -> str:
    """The ``issuer_authorised`` step's reason key for the trust list's rule that refused (a revoked key, a
    suspension...: :attr:`~credentials.errors.IssuerTrustError.reason`), "" (the general one) for others."""
    reason = exc.reason if isinstance(exc, IssuerTrustError) else ""
    return f"issuer_authorised.{reason}" if reason else ""
#: The reason key of a genuine credential whose signer certificate (or another of its chain) ended
#: after it was signed (module docstring): undetermined, with the end as ``expiry_at`` (Unix seconds).
SIGNER_EXPIRED = "issuer_chain.signer_expired"
_DAY, _HOUR, _MINUTE = 86400, 3600, 60


def duration_parts(seconds: float) -> tuple[tuple[int, str], ...]:
    """A duration as people read it, as (count, unit) pairs, unit ``day``, ``hour`` or ``minute``:
    whole days, or days from two days on (and the hours beside them below ten days); whole hours,
    or hours from two hours on; else minutes (at least one). Rounded down: "8 days and 3 hours"
    for 8 days 3 hours 40 minutes, "25 hours", "7 days", "90 minutes"."""
    whole = max(0, int(seconds))
    if whole >= _DAY and (whole % _DAY == 0 or whole >= 2 * _DAY):
        days, hours = divmod(whole, _DAY)
        hours //= _HOUR
        return ((days, "day"), (hours, "hour")) if days < 10 and hours else ((days, "day"),)
    if whole >= _HOUR and (whole % _HOUR == 0 or whole >= 2 * _HOUR):
        return ((whole // _HOUR, "hour"),)
    return ((max(1, whole // _MINUTE), "minute"),)


def _rounded_up(seconds: float) -> float:
    """``seconds`` rounded up to the precision :func:`duration_parts` writes it with (a minute, an hour,
    or a day from ten days on), so that its words are never less than the duration itself."""
    parts = duration_parts(seconds)
    unit = parts[-1][1]
    step = _MINUTE if unit == "minute" else _HOUR if unit == "hour" or parts[0][0] < 10 else _DAY
    return float(math.ceil(seconds / step) * step)


def _duration(seconds: float) -> str:
    """:func:`duration_parts` in English, for the pipeline's own sentences (pages write theirs)."""
    return " and ".join(f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in duration_parts(seconds))


def _no_trust_list(age: float | None, max_age: float | None, *, none_held: str) -> Step:
    """The ``issuer_authorised`` step when no trust list may be used, so that no institution can be
    checked (undetermined, never valid). ARCHITECTURE.md "trust_list": a TrustListClient never
    serves a list older than its ``max_age`` (measured from the list's issuance), whatever its
    ``next_update``. ``age`` is that of the list held, None when none is (``none_held`` says so:
    the device was never prepared); with one held, the step says how old it is, the maximum, and
    what to do, under its own key (:data:`TRUST_LIST_TOO_OLD`) with those numbers as its params."""
    if age is None:
        return Step("issuer_authorised", NOT_RUN, none_held)
    if max_age is None:
        return Step("issuer_authorised", NOT_RUN, f"The trust list held on this device is {_duration(age)} old, too "
                    "old to be used: get the lists again where there is network.", TRUST_LIST_TOO_OLD,
                    (("age_seconds", age),))
    # Rounded down, an age just past the maximum would read as the maximum itself ("7 days old, more than
    # the 7 days allowed"): past it, the age is said rounded up to the words' own precision.
    shown = _rounded_up(age) if age > max_age else age
    return Step("issuer_authorised", NOT_RUN, f"The trust list held on this device is {_duration(shown)} old, more "
                f"than the {_duration(max_age)} allowed: get the lists again where there is network.",
                TRUST_LIST_TOO_OLD, (("age_seconds", shown), ("max_age_seconds", max_age)))


def _combine(steps: Sequence[Step]) -> str:
    if any(s.result == FAILED for s in steps):
        return INVALID
    if not steps or any(s.result == NOT_RUN for s in steps):
        return UNDETERMINED
    return VALID


def _first_problem(steps: Sequence[Step]) -> str:
    step = _problem_step(steps)
    return step.message if step is not None else ""


def _problem_step(steps: Sequence[Step]) -> Step | None:
    for wanted in (FAILED, NOT_RUN):
        for step in steps:
            if step.result == wanted:
                return step
    return None


class _Unreadable(Exception):
    """A date claim that is there but is no date: the check cannot run on it, so it fails."""

    def __init__(self, name: str) -> None:
        super().__init__(f"The document's {name} cannot be read as a date.")


def _date(claims: Mapping[str, Any], name: str) -> date | None:
    """The claim as a date: an ISO 8601 full-date string (SD-JWT VC), or a CBOR full-date / tdate
    (ISO 18013-5 §7.2.1, an mdoc); absent is None, anything else :class:`_Unreadable` (fail closed)."""
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _Unreadable(name)


#: The reason key of an A1 or EHIC whose own expiry date was not shown (the PID's has its own words).
_DOCUMENT_EXPIRY_NOT_SHOWN = "document_validity.document_expiry_not_shown"


def _validity_steps(module: Any, claims: Mapping[str, Any], today: date, *,
                    every_claim_withholdable: bool = False, care_date: date | None = None) -> list[Step]:
    """The document and coverage layers of domain.md "Three validity layers".

    A date that is not there constrains nothing only where its absence means the document has none.
    For a PID it never does (date_of_expiry is mandatory, PID Rulebook §2.4). For an A1 or EHIC as
    SD-JWT VC the dates are never selectively disclosable (domain.md "Common block"), so one not
    there is one the document lacks. As ISO mdoc (``every_claim_withholdable``) every data element
    may be left out of a response (ISO 18013-5 §8.3.2.1.2.2), so an expiry date not shown may be
    one withheld: an A1 or a card is then not judged within its dates (not run, never passed); an
    EHIC that is a Provisional Replacement Certificate is bounded by the period it showed instead
    (Decision S2, checked as ``coverage_period``). A period shown by one end only (the other withheld,
    in any form) is not judged: ``coverage_period`` not run, never passed.

    ``care_date``: an EHIC (card or PRC) checked for a day of care other than today (a PRC is often
    issued after the treatment, 987/2009 Art. 25, Decision S2): its expiry and period are judged at
    that day instead of ``today``, and a card issued after it does not show cover then; a card whose
    date of issue is not shown (an offline QR code made before it carried one) is not confirmed for an
    earlier day (not run). A date of issuance in the future is still judged at ``today``; every other
    document (an A1, the PID) too."""
    for_care = care_date is not None and module is ehic
    on = care_date if care_date is not None and for_care else today
    try:
        issued, expiry = _date(claims, "date_of_issuance"), _date(claims, "date_of_expiry")
        start, end = _date(claims, "starting_date"), _date(claims, "ending_date")
    except _Unreadable as exc:
        return [Step("document_validity", FAILED, str(exc))]
    steps = []
    if issued is not None and issued > today:
        steps.append(Step("document_validity", FAILED, f"The document is dated {issued}, which is in the future."))
    elif expiry is not None and expiry < today and module is pda1 and end is not None and expiry >= end:
        # An A1 has no validity of its own beyond its period (987/2009 Art. 5(1): it binds for the period
        # it certifies; the issuer's mdoc states the period's end as its expiry): what ended is the period
        # it covers, said as the coverage step says it, not "the document expired".
        steps.append(Step("document_validity", FAILED, f"The period covered ended on {end}.",
                          "coverage_period.ended"))
    elif for_care and issued is not None and issued > on and start is None and end is None:
        # A card (no period of its own) shows cover from its issue: for an earlier day of care the
        # institution issues a PRC covering it (Decision S2).
        steps.append(Step("document_validity", FAILED, f"The card was issued on {issued}, after the date of care "
                          f"({on}).", "document_validity.issued_after_care", (("issued_at", _noon(issued)),)))
    elif for_care and issued is None and on < today and start is None and end is None:
        # A card whose date of issue is not known (an offline QR code made before it carried one,
        # credentials.compact.LATER_FIELDS; one withheld): it may have been issued after the day of care,
        # so cover then is not confirmed (pentest P3: a card of today "valid" for care a year before).
        steps.append(Step("document_validity", NOT_RUN, f"The card's date of issue is not shown, so whether it "
                          f"covered the date of care ({on}) cannot be confirmed.", _ISSUE_DATE_NOT_SHOWN))
    elif expiry is not None and expiry < on:
        # Its own key and date, as an ended period has (coverage_period.ended): the desk is told that the
        # document expired and when (rulebook §4.1, "must say why"), not only that it is outside its dates.
        # A PID's is the identity's, shown beside the A1 or card, as its status is (_status_failed): "the
        # document expired" beside an A1's number and period was read as the A1's.
        whose, then = ("The identity document (PID) shown with it", ": confirm who the person is another way (an "
                       "identity card or passport).") if module is pid else ("The document", ".")
        steps.append(Step("document_validity", FAILED, f"{whose} expired on {expiry}{then}",
                          "document_validity.expired", (("expired_at", _noon(expiry)),)))
    elif expiry is None and module is pid:
        # The PID Rulebook makes date_of_expiry mandatory (§2.4): one not shown is withheld (or the
        # PID is not the Rulebook's), and an expired PID must not pass for a valid one.
        steps.append(Step("document_validity", NOT_RUN, "The PID's expiry date was not shown, so whether it is "
                          "still valid cannot be confirmed.", "document_validity.expiry_not_shown"))
    elif expiry is None and every_claim_withholdable and (module is pda1 or (module is ehic and end is None)):
        what = "A1" if module is pda1 else "EHIC"
        steps.append(Step("document_validity", NOT_RUN, f"The {what}'s expiry date was not shown, so whether it is "
                          "still valid cannot be confirmed.", _DOCUMENT_EXPIRY_NOT_SHOWN))
    else:
        steps.append(Step("document_validity", PASSED, "The document is within its own validity dates."))
    if module is pda1 or start is not None or end is not None:
        if module is pda1 and (start is None or end is None):
            steps.append(Step("coverage_period", NOT_RUN, "The period of the A1 was not disclosed."))
        elif start is not None and start > on:
            steps.append(Step("coverage_period", FAILED, f"The period covered starts only on {start}.",
                              "coverage_period.not_started", (("start_at", _noon(start)),)))
        elif end is not None and end < on:
            steps.append(Step("coverage_period", FAILED, f"The period covered ended on {end}.",
                              "coverage_period.ended", (("end_at", _noon(end)),)))
        elif start is None or end is None:
            # Half a period: a PRC has both dates (Decision S2; ehic.validate), so the other was withheld
            # (an mdoc's every element may be; an SD-JWT VC's where its issuer made them selectively
            # disclosable, which ours does not) or the document is not one. The end shown does not rule
            # the day out; judged by it alone it would pass a day before the start or after the end
            # withheld (security review R9, finding 2): not run, never passed.
            steps.append(Step("coverage_period", NOT_RUN, "Only one end of the period covered was shown, so whether "
                              f"it covers {'the date of care' if for_care else 'today'} cannot be confirmed.",
                              "coverage_period.partly_shown"))
        elif for_care:
            steps.append(Step("coverage_period", PASSED, f"The date of care ({on}) lies within the period covered "
                              f"({start} to {end}).", "coverage_period.care_date"))
        else:
            steps.append(Step("coverage_period", PASSED, f"Today lies within the period covered ({start} to {end})."))
    return steps


#: The reason key of a card checked for a past day of care without its date of issue (:func:`_validity_steps`).
_ISSUE_DATE_NOT_SHOWN = "document_validity.issue_date_not_shown"


def _noon(day: date) -> float:
    """A document's date as a :class:`Step` param (``<name>_at``, Unix seconds, which the pages write
    as a date in the verifier's zone): its noon in UTC, the same calendar day in every zone from
    UTC-11 to UTC+11."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()


class _Institution(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def country(self) -> str: ...


def competence_problem(entity: _Institution, module: Any, claims: Mapping[str, Any], *,
                       vct: str | None = None) -> tuple[str, str] | None:
    """Is the signing institution the one the document names, for its own country? (domain.md
    "Common block": ``issuing_authority`` is the technical issuer whose certificate chains to the
    trust list; a PDA1 is issued by the competent institution of the state whose legislation
    applies, 987/2009 Art. 15/16/19.) The trust list says who may issue the type; this says that an
    institution of one state cannot sign another state's document, nor name another institution.
    A national PID type (``urn:eudi:pid:de:1``, PID Rulebook §4.2) is that state's: only a PID
    provider of that state signs it.

    The field at fault and the problem in words, or None. The verifier refuses such a document and
    the issuer's back office refuses to record it, by this one rule.
    """
    national = pid.national_country(vct) if vct is not None else None
    if national is not None and countries.normalise(national) != countries.normalise(entity.country.upper()):
        return "vct", (f"{entity.name_en} ({entity.id}) is an institution of {entity.country}, but the document "
                       f"is of the national PID type of {national} ({vct}).")
    authority = claims.get("issuing_authority")
    if module is pid:
        authority = None  # the EUDI PID names its authority in words (a string), not by institution id
    if authority is not None:
        if not isinstance(authority, Mapping):
            return "issuing_authority", "The document's issuing authority cannot be read."
        if authority.get("id") != entity.id:
            return "issuing_authority.id", (f"The document names {authority.get('id')} as its issuer, but "
                                            f"{entity.name_en} ({entity.id}) signed it.")
    fields = [("issuing_country", claims.get("issuing_country")),
              ("issuing_authority.country", authority.get("country") if isinstance(authority, Mapping) else None)]
    # The competent institution (``authentic_source``, Decision S2 field 7; for an A1 the institution
    # of the state whose legislation applies, 987/2009 Art. 19(2)) is one of the signer's own state: a
    # branch of it (LV:NVD-KURZ) may be named, another state's institution may not. Its state is its
    # ``country`` member where given (the EUDI model's country_code), and the state prefix of its
    # EESSI id ("LV:VSAA"; ``institution_id`` in the offline QR code); an id without one says no state.
    source = None if module is pid else claims.get("authentic_source")
    if isinstance(source, Mapping):
        fields.append(("authentic_source.country", source.get("country")))
        source_id, source_field = source.get("id"), "authentic_source.id"
    else:
        source_id, source_field = claims.get("institution_id"), "institution_id"
    if module is pda1:
        if claims.get("legislation_country") is None:  # the one fact an A1 is for: never judged without it
            return "legislation_country", "The document does not say which state's legislation applies."
        fields.append(("legislation_country", claims.get("legislation_country")))
    for name, value in fields:
        if value is None:
            continue
        if not isinstance(value, str) or countries.normalise(value.upper()) != countries.normalise(entity.country):
            return name, (f"{entity.name_en} ({entity.id}) is an institution of {entity.country}, but the "
                          f"document's {name} is {value}.")
    prefix = source_id.split(":", 1)[0].strip() if isinstance(source_id, str) and ":" in source_id else ""
    if len(prefix) == 2 and prefix.isascii() and prefix.isalpha() \
            and countries.normalise(prefix.upper()) != countries.normalise(entity.country):
        return source_field, (f"{entity.name_en} ({entity.id}) is an institution of {entity.country}, but the "
                              f"document names {source_id}, an institution of {prefix.upper()}, as the competent "
                              "institution.")
    return None


def _failed_at(result: CredentialResult, exc: CredentialError) -> CredentialResult:
    """The steps before the one ``exc`` belongs to passed; that one failed; the rest did not run.

    An error of no per-credential step (``vct``: the document is not of a type asked for) is that
    failed step alone: nothing is claimed passed that the error cut short."""
    failed = _STEP_OF_ERROR.get(exc.code, "disclosures")
    if failed not in _STEPS:
        result.steps.append(Step(failed, FAILED, exc.message))
        return result
    for code in _STEPS:
        if code == failed:
            result.steps.append(Step(code, FAILED, exc.message))
            break
        result.steps.append(Step(code, PASSED, "Checked."))
    return result


def _anchors(issuers: trust_list.TrustList) -> list[Any]:
    # Every listed CA may anchor the chain; whether that institution may issue this type is the
    # separate issuer_authorised step, so an EHIC body signing a PDA1 is named as such.
    return [cert for entity in issuers.entities for cert in entity.anchors()]


def verify_credential(presentation: str, *, query_id: str, expected_vcts: Sequence[str], issuers: trust_list.TrustList,
                      nonce: str, audience: str, now: datetime, status_lookup: StatusLookup,
                      chains: ChainValidator | None = None, kb_max_age: int = 300,
                      care_date: date | None = None) -> CredentialResult:
    """All per-credential steps for one SD-JWT VC presentation (``care_date``: :func:`_validity_steps`)."""
    result = CredentialResult(query_id)
    try:
        verified = sd_jwt_vc.verify_vc(presentation, anchors=_anchors(issuers), now=now, chains=chains,
                                       key_binding=KeyBindingPolicy(nonce=nonce, aud=audience, max_age=kb_max_age),
                                       expected_vct=expected_vcts, allow_expired_signer=True)
    except CredentialError as exc:
        result.unreadable = exc.code == "malformed" and not _reads_as_sd_jwt(presentation)
        return _failed_at(result, exc)
    result.vct, result.claims, result.disclosed, result.iat = verified.vct, verified.claims, verified.disclosed, \
        verified.iat
    if verified.vct == eudi_pda1.VCT:
        # Every later step (competence, dates, what the inspector reads) is the same as for ours.
        try:
            result.answered, result.claims = verified.claims, eudi_pda1.to_dc4eu(verified.claims)
        except CredentialError as exc:
            return _failed_at(result, exc)
    return _issuer_and_status(result, verified.issuer_chain, verified.vct, datetime.fromtimestamp(verified.iat, UTC),
                              verified.status, issuers=issuers, now=now, status_lookup=status_lookup,
                              signer_expired_at=verified.signer_expired_at, care_date=care_date)


def _reads_as_sd_jwt(presentation: Any) -> bool:
    """Whether a presentation that failed with MalformedError is an SD-JWT at all (RFC 9901 §4: an
    issuer JWS, Disclosures, a KB-JWT or none), so that its failure is one of its checks rather than
    "could not be read". Only called on that failure."""
    try:
        sd_jwt.parse(presentation)
    except CredentialError:
        return False
    return True


def _reads_as_cbor(presentation: Any) -> bool:
    """Whether a presentation that failed with MalformedError is base64url of one well-formed CBOR
    item within the DeviceResponse size limit (ISO 18013-5 §8.3.2.1.2.2; OpenID4VP App. B.2.6), so
    that its failure is one of its checks (a status that is not OK, two documents) rather than
    "could not be read". Only called on that failure."""
    try:
        data = b64url_decode(presentation) if isinstance(presentation, str) else None
        if data is None or len(data) > mdoc.MAX_BYTES:
            return False
        cose.loads_one(data, "the DeviceResponse")
    except CredentialError:
        return False
    return True


def verify_mdoc_credential(presentation: str, *, query_id: str, doctype: str, issuers: trust_list.TrustList,
                           session_transcript: bytes | None, now: datetime, status_lookup: StatusLookup,
                           chains: ChainValidator | None = None, care_date: date | None = None) -> CredentialResult:
    """All per-credential steps for one ISO mdoc ``DeviceResponse`` (base64url), bound to the
    request through ``session_transcript`` (OpenID4VP App. B.2.6.1); ``care_date``: :func:`_validity_steps`."""
    result = CredentialResult(query_id, doc_type=doctype)
    try:
        if session_transcript is None:
            raise KbSignatureError("this request cannot bind an mdoc (no session transcript)")
        if not isinstance(presentation, str):
            raise MalformedError("an mdoc presentation is a base64url string")
        verified = mdoc.verify_presentation(b64url_decode(presentation), anchors=_anchors(issuers), now=now,
                                            session_transcript=session_transcript, expected_doctypes=[doctype],
                                            chains=chains, allow_expired_signer=True)
    except CredentialError as exc:
        result.unreadable = exc.code == "malformed" and not _reads_as_cbor(presentation)
        return _failed_at(result, exc)
    elements: Mapping[str, Any] = verified.claims.get(verified.doctype, {})
    result.vct, result.iat = mdoc.DOCTYPE_VCT.get(verified.doctype), int(verified.signed.timestamp())
    # Every element returned, of every namespace, as its DCQL claims path [namespace, element]
    # (OpenID4VP §7.2): the query step refuses one that was not asked for (§8.6), as for an SD-JWT
    # VC's disclosures; an element of another namespace the issuer signed (ISO 18013-5's own, a
    # national extension) is disclosed all the same, and must not slip past it.
    result.disclosed = tuple((namespace, name) for namespace, returned in verified.claims.items()
                             for name in returned)
    if result.vct is None:
        return _failed_at(result, VctError(f"document type {verified.doctype} is not one ESSPASS knows"))
    try:
        result.claims = mdoc_json(elements)
        if result.vct == pid.VCT:
            # The PID Rulebook's mdoc elements (§3.1.1) read as the SD-JWT VC claims of the same PID
            # (§4.1), so the competence rule, the dates, the verdict and the pages see one model; the
            # request is checked against the elements as sent (answered).
            result.answered, elements = result.claims, pid.from_mdoc(elements)
            result.claims = mdoc_json(elements)
    except CredentialError as exc:
        return _failed_at(result, exc)
    return _issuer_and_status(result, verified.issuer_chain, result.vct, verified.signed, verified.status,
                              issuers=issuers, now=now, status_lookup=status_lookup, dates=elements,
                              every_claim_withholdable=True, signer_expired_at=verified.signer_expired_at,
                              care_date=care_date)


def mdoc_json(value: Any) -> Any:
    """mdoc element values as the SD-JWT VC claims would be, so that every page, proof, API answer
    and wallet store can hold them: a CBOR full-date (tag 1004, which cbor2 decodes as a
    :class:`datetime.date`) or tdate (ISO 18013-5 §7.2.1) as its ISO 8601 text, a JPEG or PNG
    portrait (a byte string) as a ``data:`` URI as in the PID's ``picture``, other bytes as
    base64url. The date checks read the values as they came (``_issuer_and_status`` ``dates``).

    Anything else CBOR can carry (another tag, a simple value, undefined, a set, a bignum past
    JSON's range, a map with a key that is not text, a float that is not finite) is MalformedError:
    an issuer's odd value fails the check, never a page or the record that stores it."""
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise MalformedError("an mdoc element holds a map whose keys are not all text")
        return {k: mdoc_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mdoc_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        for magic, media_type in ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")):
            if value.startswith(magic):
                return f"data:{media_type};base64,{base64.b64encode(value).decode('ascii')}"
        return b64url_encode(value)
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int) and -(2**63) <= value < 2**64:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise MalformedError("an mdoc element holds a CBOR value that is not data a credential carries")


_as_json = mdoc_json  # its former, private name


def _issuer_and_status(result: CredentialResult, chain: ValidatedChain, vct: str, issued_at: datetime,
                       status: status_list.StatusReference | None, *, issuers: trust_list.TrustList, now: datetime,
                       status_lookup: StatusLookup, dates: Mapping[str, Any] | None = None,
                       every_claim_withholdable: bool = False,
                       signer_expired_at: datetime | None = None, care_date: date | None = None) -> CredentialResult:
    """The steps after the signatures: who issued it, the document's own dates, its status.

    ``dates``: the claims to read the dates from, as the credential holds them (an mdoc's full-date
    or tdate values, ISO 18013-5 §7.2.1); the claims themselves by default.
    ``every_claim_withholdable``: the form lets the holder leave out any claim, the dates too (an
    mdoc, :func:`_validity_steps`).
    ``signer_expired_at``: ``chain`` failed at ``now`` only because a certificate of it ended at that moment, and
    validated at ``issued_at`` (module docstring). The trust list judges it at ``issued_at`` as any
    chain (a revoked key, a key not listed then, an institution suspended now, or one not competent
    for the document fail ``issuer_chain`` as an ended chain always did); else ``issuer_chain`` does
    not run (:func:`_signer_expired`) and every later step runs, so a withdrawn document stays invalid."""
    result.steps += [
        Step("disclosures", PASSED, "Every disclosed claim matches a digest the issuer signed."),
        Step("issuer_signature", PASSED, "The issuer's signature is genuine."),
    ]
    if signer_expired_at is None:
        result.steps.append(Step("issuer_chain", PASSED, "The issuer's certificate chains to a CA on the trust list."))
    try:
        authorised = trust_list.authorised_issuer(issuers, chain, vct, at=issued_at, now=now)
    except CredentialError as exc:
        if signer_expired_at is not None:
            result.steps.append(_ended_chain_failed(signer_expired_at, exc.message, now))
            return result
        result.steps.append(Step("issuer_authorised", FAILED, exc.message, _trust_key(exc)))
        return result
    entity = authorised.entity
    module = _TYPES.get(vct)
    problem = competence_problem(entity, module, result.claims, vct=vct)
    if problem is not None:
        if signer_expired_at is not None:
            result.steps.append(_ended_chain_failed(signer_expired_at, problem[1], now))
            return result
        result.steps.append(Step("issuer_authorised", FAILED, problem[1]))
        return result
    if signer_expired_at is not None:
        result.steps.append(_signer_expired(entity.name_en, signer_expired_at, now))
    result.issuer_id, result.issuer_name, result.issuer_country = entity.id, entity.name_en, entity.country
    result.steps += [
        Step("issuer_authorised", PASSED, f"{entity.name_en} ({entity.id}) is competent to issue this document."),
        Step("key_binding", PASSED, "The phone holding the document's key signed this answer for this request."),
        Step("token_validity", PASSED, "The signed token is within its validity."),
    ]
    result.steps += _validity_steps(module, result.claims if dates is None else dates, now.date(),
                                    every_claim_withholdable=every_claim_withholdable, care_date=care_date)
    if status is None:
        result.steps.append(Step("status", FAILED, "The document carries no status reference, so it cannot be "
                                                   "checked for withdrawal.", _NO_STATUS))
        return result
    outcome = status_lookup(status, entity, now)
    result.status_value, result.status_age = outcome.value, outcome.age_seconds
    result.status_source, result.status_ref = outcome.source, status
    if outcome.value is None:
        result.steps.append(Step("status", FAILED if outcome.forged else NOT_RUN,
                                 _with_detail(outcome.message or "The status list could not be checked.", outcome),
                                 outcome.key, outcome.params))
    elif outcome.value == status_list.VALID:
        result.steps.append(Step("status", PASSED, "The institution has not withdrawn or suspended the document."))
    else:
        result.steps.append(_status_failed(module, outcome.value))
    if outcome.value is not None and outcome.detail:  # a final entry of a list held past its end
        result.steps[-1] = _as_of_list(result.steps[-1], outcome)
    return result


def _as_of_list(step: Step, outcome: StatusOutcome) -> Step:
    """``step`` as said by a status list held past its end, which still tells a final entry
    (:func:`credentials.status_list.said_when_stale`): with the lookup's words of which list says it
    (``outcome.detail``), and its numbers (``listed_at``) for the pages."""
    message = f"{step.message.rstrip('.')} ({outcome.detail})." if outcome.detail else step.message
    return Step(step.code, step.result, message, step.key, outcome.params)


def _with_detail(message: str, outcome: StatusOutcome) -> str:
    """The status step's words when no status could be told: why, and what the lookup adds (a list held
    past its end: what it last said, of when, and what to do)."""
    return f"{message} {outcome.detail}" if outcome.detail else message


#: The status step of a copy whose entry is STOPPED (0x0C, our application-specific Status Type,
#: :data:`credentials.status_list.STOPPED`): the institution stopped the copies on one phone (reported
#: lost or stolen), not the document. Failed, never valid; the inspector asks for the document from the
#: worker's current phone (a withdrawal, by contrast, voids the document, 987/2009 Art. 5).
_STOPPED_STEP = Step("status", FAILED, "The institution has stopped this copy of the document (the phone it was "
                     "issued to was reported lost or stolen): ask the holder to show the document from their current "
                     "phone, and compare the photo with them.", "status.stopped")


def _status_failed(module: Any, value: int) -> Step:
    """The failed status step of an entry SUSPENDED, REPLACED (:func:`_replaced_step`), STOPPED or INVALID;
    any value we do not know fails closed as a withdrawal (§7.1). A PID's is worded as the identity's:
    it is shown beside the A1 or card, and the inspector must not read its status as theirs."""
    if value == status_list.REPLACED:
        return _replaced_step(module)
    if value == status_list.STOPPED:
        return _STOPPED_STEP
    done, key = ("suspended", "status.suspended") if value == status_list.SUSPENDED else ("withdrawn",
                                                                                          "status.withdrawn")
    if module is pid:
        return Step("status", FAILED, f"The identity document (PID) shown with it has been {done} by its provider: "
                                      "confirm who the person is another way (an identity card or passport).", key)
    return Step("status", FAILED, f"The institution has {done} this document.", key)


def _replaced_step(module: Any) -> Step:
    """The status step of a document whose entry is REPLACED (0x03, our application-specific Status
    Type, :data:`credentials.status_list.REPLACED`): the institution superseded it by a newer one of
    its own. Failed, never valid: the inspector asks for the current document (a withdrawal, by
    contrast, voids the document from its first day, 987/2009 Art. 5)."""
    ask = "the worker for the current A1" if module is pda1 else "the holder for the current card" \
        if module is ehic else "the holder for the current identity document (PID)" if module is pid \
        else "the holder for the current document"
    return Step("status", FAILED, f"The institution has replaced this document with a newer one: ask {ask}.",
                "status.replaced")


def _signer_expired(institution: str, ended: datetime, now: datetime) -> Step:
    """The ``issuer_chain`` step of a genuine credential whose chain ended after it was signed (module
    docstring): not run, so never valid. Its params say when (``expiry_at``, Unix seconds, which the
    pages write as a date); the institution is the credential's (:attr:`CredentialResult.issuer_name`)."""
    day = ended.astimezone(now.tzinfo or UTC).date().isoformat()
    return Step("issuer_chain", NOT_RUN, f"Signed by {institution}, but the certificate that signed this copy expired "
                f"on {day}: the holder should ask {institution} for a new copy; check an identity document.",
                SIGNER_EXPIRED, (("expiry_at", ended.timestamp()),))


def _ended_chain_failed(ended: datetime, problem: str, now: datetime) -> Step:
    """The ``issuer_chain`` step of a chain that ended after the credential was signed, when the trust
    list does not vouch for it at that time (or its institution is not competent): failed, as any
    chain that does not validate now."""
    day = ended.astimezone(now.tzinfo or UTC).date().isoformat()
    return Step("issuer_chain", FAILED, f"The certificate that signed this copy expired on {day}, and the trust list "
                f"does not vouch for it: {problem}")


def verify_response(vp_token: Mapping[str, Sequence[str]], *, query: Mapping[str, Any], nonce: str, audience: str,
                    issuers: trust_list.TrustList | None, trust_list_age: float | None, now: datetime,
                    status_lookup: StatusLookup, chains: ChainValidator | None = None,
                    session_transcript: bytes | None = None, pid_number_states: Collection[str] = (),
                    trust_list_max_age: float | None = None, home_state: str | None = None,
                    care_date: date | None = None) -> Verdict:
    """Verify a whole VP Token against the request that produced it (one nonce, one client_id).

    Every presentation is bound to ``nonce`` and ``audience``: an SD-JWT VC through its KB-JWT, an
    mdoc through its device signature over ``session_transcript`` (which holds both), so
    credentials from answers to different requests cannot be combined. ``issuers`` None (no usable
    trust list) makes the verdict undetermined: with a ``trust_list_age``, the list held is older
    than ``trust_list_max_age`` and the verdict says so, and how old (:func:`_no_trust_list`).
    ``now`` carries the inspection's time zone: the document and coverage dates are compared with
    its local date (an A1 that ended yesterday there is not valid, whatever the date in UTC).

    An answer that leaves out what the request made optional (DCQL ``credential_sets`` with
    ``required: false``, OpenID4VP §6.4.2, §8.1), even an empty ``vp_token``, is checked like any
    other: the ``query`` step names what was not presented (and the verdict's reason too), and an
    answer presenting nothing is ``undetermined``; one missing a required document is ``invalid``.

    An answer holding an A1 or EHIC and a PID, each of which passed its own checks, gets the
    ``holder_link`` step (:func:`_holder_link_steps`): the two are one person's documents, as far as
    their personal numbers can tell (domain.md: the document carries the number, the PID the name).
    ``pid_number_states``: the verifier's policy, the states whose PIDs carry the personal number of
    their A1s and EHICs (:func:`credentials.holder_link.link`); a PID of such a state that does not
    show it leaves the verdict undetermined. Empty by default: no state's PID is held to show it.

    An EHIC shown without any PID (the PID is optional in the EHIC check: a patient may hold none)
    passes ``holder_link`` with the words to check an identity document, as its offline QR code does
    (:func:`_holder_link_steps`), when it shows what such a document shows; so does an A1 shown
    without one (a query of the API's own), on its personal number (:func:`_a1_without_pid`).

    A PID that has only lapsed (expired, or suspended, withdrawn, replaced or stopped by its provider)
    beside an A1 or card that passed every check makes the verdict undetermined, not invalid
    (:func:`_identity_unconfirmed`): the document is in force, and only who holds it is left to an
    identity card or passport, as the reason says.

    A verdict that is valid but leaves something to say has it as its reason (:data:`_NOTICES`): the
    documents are tied by the wallet only, not by a number; optional documents were not presented.
    ``home_state``: the verifier's own state (ISO code), for :func:`notices` (an EHIC of that state).
    ``care_date``: the day of care an EHIC is checked for (:func:`_validity_steps`); signatures,
    chains and status are still judged at ``now``.
    """
    if issuers is None:
        step = _no_trust_list(trust_list_age, trust_list_max_age,
                              none_held="No trust list is available to check the institutions.")
        return Verdict(UNDETERMINED, step.message, [step], [], trust_list_age, now)
    by_id = {cq["id"]: cq for cq in query.get("credentials", [])}
    results: list[CredentialResult] = []
    top: list[Step] = []
    for qid, presentations in vp_token.items():
        cq = by_id.get(qid)
        if cq is None:
            top.append(Step("query", FAILED, f"The answer contains {qid!r}, which was not asked for."))
            continue
        if not presentations:  # §8.1: "an array of one or more Presentations"
            top.append(Step("query", FAILED, f"The answer for {qid!r} holds no presentation."))
            continue
        if len(presentations) != 1 and cq.get("multiple") is not True:
            top.append(Step("query", FAILED, f"The answer for {qid!r} has several presentations."))
            continue
        for presentation in presentations:
            if cq["format"] == dcql.MDOC_FORMAT:
                results.append(verify_mdoc_credential(
                    presentation, query_id=qid, doctype=cq["meta"]["doctype_value"], issuers=issuers,
                    session_transcript=session_transcript, now=now, status_lookup=status_lookup, chains=chains,
                    care_date=care_date))
                continue
            results.append(verify_credential(
                presentation, query_id=qid, expected_vcts=list(cq["meta"]["vct_values"]), issuers=issuers,
                nonce=nonce, audience=audience, now=now, status_lookup=status_lookup, chains=chains,
                care_date=care_date))
    if not top:
        top.append(_query_step(query, results))
    top += _holder_link_steps(results, pid_number_states)
    all_steps = top + [s for r in results for s in r.steps]
    verdict = _combine(all_steps)
    if verdict == INVALID and _identity_unconfirmed(results, top):
        verdict = UNDETERMINED
    notice = _notice(top)
    told = notices(results, home_state, day=care_date or now.date())
    reason = _first_problem(all_steps) or (notice.message if notice is not None else "") or \
        (told[0].message if told else "")
    return Verdict(verdict, reason, top, results, trust_list_age, now, told, care_date)


#: The documents a PID is presented beside (shared/domain.md: they carry the personal number only).
_DOCUMENT_TYPES = frozenset({pda1.VCT, *pda1.ALIASES, eudi_pda1.VCT, ehic.VCT, *ehic.ALIASES})


def _vouched(result: CredentialResult) -> bool:
    """Whether the credential's claims are its institution's and its holder's: no step failed, and the
    key binding (which runs after the signature, the chain and the issuer's competence) passed. A step
    that could not run (a status list out of reach) leaves the claims themselves vouched for."""
    return all(s.result != FAILED for s in result.steps) and any(
        s.code == "key_binding" and s.result == PASSED for s in result.steps)


#: A PID's failed checks that say only that it no longer identifies anyone (it ended, or its provider
#: suspended, withdrew, replaced or stopped it), not that it or the answer is false.
_LAPSED = frozenset({"document_validity.expired", "status.suspended", "status.withdrawn", "status.replaced",
                     "status.stopped"})


def _lapsed_pid(result: CredentialResult) -> bool:
    """Whether ``result`` is a genuine PID, bound to the answer's key, whose only failed checks are
    :data:`_LAPSED`: its claims are still its provider's words about its holder (a lapsed identity
    document still names its person), so an A1 or card is compared with them (:func:`_holder_link_steps`)."""
    failed = [s for s in result.steps if s.result == FAILED]
    return pid.is_pid_type(result.vct) and bool(failed) and all(s.key in _LAPSED for s in failed) and any(
        s.code == "key_binding" and s.result == PASSED for s in result.steps)


def _identity_unconfirmed(results: Sequence[CredentialResult], top: Sequence[Step]) -> bool:
    """Whether a not-valid answer is rather one that cannot be confirmed: every A1 or card in it passed
    all its checks (and its holder link), and what failed is only a lapsed PID beside them
    (:func:`_lapsed_pid`). The documents are genuine and in force, and the A1 or card names its
    holder (credentials.holder_names): whether the person in front of the inspector is that holder is
    what is left open, and an identity card or passport answers it (the reason says so). Never valid
    (fail closed); a forged or unbound PID, or one naming another person, stays not valid."""
    documents = [r for r in results if r.vct in _DOCUMENT_TYPES]
    pids = [r for r in results if pid.is_pid_type(r.vct)]
    return bool(documents) and bool(pids) and len(documents) + len(pids) == len(results) \
        and all(s.result != FAILED for s in top) \
        and all(s.result != FAILED for r in documents for s in r.steps) and all(_lapsed_pid(r) for r in pids)


def _holder_link_steps(results: Sequence[CredentialResult], number_states: Collection[str] = ()) -> list[Step]:
    """The ``holder_link`` step of the A1 or EHIC with the PID of the answer (one of each in an
    inspection profile; :mod:`credentials.holder_link`, with the verifier's ``number_states``).
    Nothing when either failed its own checks: the verdict is then not valid already, and unvouched
    claims are compared with nothing. A lapsed PID (:func:`_lapsed_pid`: ended, or stopped by its
    provider) is compared still: its names are its holder's, and another person's A1 stays not valid.

    More than one PID fails the step (whose name and face would the inspector see, and which one
    were the documents tied to?): the query step refuses two options of one credential set already
    (a PID as SD-JWT VC and one as mdoc), and this holds for any query, the API's own too. Several
    documents beside one PID (a query asking for the A1 and the EHIC) are each tied to it."""
    documents = [r for r in results if r.vct in _DOCUMENT_TYPES and _vouched(r)]
    pids = [r for r in results if pid.is_pid_type(r.vct) and (_vouched(r) or _lapsed_pid(r))]
    if len(pids) > 1:
        return [Step("holder_link", FAILED, f"The answer holds {len(pids)} PIDs: the documents cannot be tied to "
                                            "one person.", _SEVERAL)]
    # No PID at all (none presented, and no presentation whose type is unknown because it failed):
    # an EHIC or an A1 is then tied to the person only by an identity document the one who checks
    # compares (an A1 alone: a query of the API's own that does not ask for the PID).
    if not any(pid.is_pid_type(r.vct) or r.vct is None for r in results):
        return [_ehic_without_pid(d.claims, number_states) if d.vct in _EHIC_TYPES
                else _a1_without_pid(d.claims, number_states) for d in documents]
    steps = []
    for document in documents:
        for person in pids:
            # An mdoc's every element may be withheld, an EHIC's names too (credentials/ehic.py); an
            # SD-JWT VC card's where another issuer made them selectively disclosable (holder_link). From
            # the cutover by the issuer's signing time (iat: the MSO's validityInfo.signed, the SD-JWT's
            # iat), never the clerk-typed date_of_issuance (security review R9, finding 1).
            signed_at = datetime.fromtimestamp(document.iat, UTC) if document.iat is not None else None
            found = holder_link.link(str(document.vct), document.claims, person.claims, number_states,
                                     pid_provider_country=person.issuer_country, withholdable=True,
                                     signed_at=signed_at)
            key = _link_key(found.outcome, document.vct in _EHIC_TYPES)
            if not found.holds:  # different personal numbers, or a document naming another person
                steps.append(Step("holder_link", FAILED, found.message, key))
            elif found.outcome in (holder_link.WITHHELD, holder_link.NAMES_WITHHELD, holder_link.PID_NAMES_WITHHELD):
                steps.append(Step("holder_link", NOT_RUN, found.message, key))
            elif found.outcome == holder_link.SAME_NUMBER:
                steps.append(Step("holder_link", PASSED, found.message))
            else:
                steps.append(Step("holder_link", PASSED, found.message, key))
    return steps


_EHIC_TYPES = frozenset({ehic.VCT, *ehic.ALIASES})
#: Outcomes of the holder's names (:func:`credentials.holder_link.link`), whose reasons name the document.
_NAME_OUTCOMES = frozenset({holder_link.NAME_MISMATCH, holder_link.SAME_NAME, holder_link.NAMES_WITHHELD})


def _link_key(outcome: str, card: bool) -> str:
    """The reason key of a ``holder_link`` outcome: ``holder_link.<outcome>``, an A1's names
    ``holder_link.a1_<outcome>`` (the card's fields 3-5 are the A1's section 1)."""
    return f"holder_link.{outcome}" if card or outcome not in _NAME_OUTCOMES else f"holder_link.a1_{outcome}"
#: Reason keys of an EHIC's ``holder_link`` step when no PID came with it (:func:`_ehic_without_pid`).
_NO_PID, _NO_PID_UNNAMED = "holder_link.no_pid", "holder_link.no_pid_unnamed"


def _ehic_without_pid(claims: Mapping[str, Any], number_states: Collection[str]) -> Step:
    """The ``holder_link`` step of an EHIC shown without a PID: nothing ties it to the person in front
    of the desk but an identity document the desk compares, so a valid verdict says to check one (a
    notice), and only when the card shows something such a document shows. A card issued before it
    named its holder (or one whose names the holder withheld) shows no name, so that is the insured
    person it names (a represented child: names and birth date), or a personal identification number
    of a state whose identity documents carry it (``number_states``, the states whose PIDs carry the
    number their A1s and EHICs carry: Latvia's personal code, Poland's PESEL). An Austrian insurance
    number is on no identity document: shown alone it would make anyone holding the phone "valid"
    (the offline QR code names the holder for the same reason, :func:`_offline_holder_step`).
    Otherwise not run: undetermined.

    A card that shows its holder's name and birth date (fields 3-5, :func:`credentials.ehic.with_holder`)
    names the person as its offline code does: the desk compares them with an identity document."""
    named = ehic.holder_of(claims)
    if named.get("family_name") and named.get("birthdate"):
        return Step("holder_link", PASSED, "No PID came with the EHIC: check an identity document of the holder it "
                    "names.", _NO_PID)
    subject = claims.get("subject")
    if isinstance(subject, Mapping) and subject.get("familynames") and subject.get("date_of_birth"):
        return Step("holder_link", PASSED, "No PID came with the EHIC: check an identity document of the insured "
                    "person it names.", _NO_PID)
    if _shows_listed_number(claims, number_states):
        return Step("holder_link", PASSED, "No PID came with the EHIC: check an identity document showing the "
                    "card's personal identification number.", _NO_PID)
    return Step("holder_link", NOT_RUN, "No PID came with the EHIC, and the card shows nothing an identity document "
                "shows (no insured person, no personal number of a state whose identity documents carry it): it "
                "cannot be tied to the person checked. Ask for the PID with the card.", _NO_PID_UNNAMED)


def _shows_listed_number(claims: Mapping[str, Any], number_states: Collection[str]) -> bool:
    """Whether the document shows a personal number of its issuing state (EL/GR, UK/GB alike, any
    case) and that state is one of ``number_states``, whose identity documents carry it."""
    country = countries.normalise(str(claims.get("issuing_country") or "").strip().upper())
    listed = {countries.normalise(str(c).strip().upper()) for c in number_states}
    return holder_link.normalise_number(claims.get("personal_administrative_number")) is not None \
        and country in listed


#: Reason keys of an A1's ``holder_link`` step when no PID came with it (:func:`_a1_without_pid`).
_A1_NO_PID, _A1_NO_PID_UNNAMED = "holder_link.a1_no_pid", "holder_link.a1_no_pid_unnamed"


def _a1_without_pid(claims: Mapping[str, Any], number_states: Collection[str]) -> Step:
    """The ``holder_link`` step of an A1 shown without a PID (a query of the API's own that does not
    ask for one; the inspection profile requires it): as for an EHIC (:func:`_ehic_without_pid`),
    nothing but an identity document the inspector compares ties it to the worker in front of them,
    so a valid verdict says to check one, and only when the A1 shows something such a document
    shows: the holder's name and birth date it names (section 1, :func:`credentials.pda1.with_holder`),
    or its personal number, of a state whose identity documents carry it (``number_states``). An A1
    signed before it named its holder, whose number is withheld (selective disclosure) or of another
    state (a German insurance number is on no identity document), ties it to no one: not run,
    undetermined, never "valid" for whoever holds the phone."""
    named = pda1.holder_of(claims)
    if named.get("family_name") and named.get("birthdate"):
        return Step("holder_link", PASSED, "No PID came with the A1: check an identity document of the worker it "
                    "names.", _A1_NO_PID)
    if _shows_listed_number(claims, number_states):
        return Step("holder_link", PASSED, "No PID came with the A1: check an identity document showing the A1's "
                    "personal identification number to confirm the worker.", _A1_NO_PID)
    return Step("holder_link", NOT_RUN, "No PID came with the A1, and the A1 shows nothing an identity document "
                "shows (no holder's name and date of birth, no personal number of a state whose identity documents "
                "carry it): it cannot be tied to the worker checked. Ask for the PID with the A1.", _A1_NO_PID_UNNAMED)


_SEVERAL = "holder_link.several"
#: A document that names no status list: never checkable for withdrawal (its own reason, not that
#: of a list not signed by the institution, "status.failed").
_NO_STATUS = "status.no_reference"


#: Step keys of a ``query`` step that passed but leaves something unsaid: optional documents not presented.
_PARTIAL, _NOTHING = "query.partial", "query.nothing_presented"
#: Keys of passed steps a valid verdict gives as its reason, first found first: the A1 or EHIC is
#: tied to the PID (whose face the inspector sees) by the wallet only, not by a personal number; or
#: it is a represented person's card; optional documents were not presented; an offline code (the
#: wallet's, or a paper copy's) is tied to its holder only by an identity document the inspector checks.
_NOTICES = ("holder_link.same_wallet", "holder_link.represented", _NO_PID, _A1_NO_PID, _PARTIAL,
            "holder_link.check_identity", "paper")


def _notice(steps: Sequence[Step]) -> Step | None:
    return next((s for key in _NOTICES for s in steps if s.result == PASSED and s.key == key), None)


#: The key of the notice that an EHIC is of the verifier's own state (:func:`notices`).
COMPETENT_STATE = "ehic.competent_state"


def notices(results: Sequence[CredentialResult], home_state: str | None, *, day: date | None = None) -> list[Notice]:
    """What the verdict on ``results`` tells beside its checks, for a verifier of ``home_state``
    (its ISO code; None: not known, nothing is told), about care on ``day`` (the date of care; None:
    today's rules).

    An EHIC whose issuing state (its competent state, vouched for by the competence check; EL/GR, UK/GB
    alike) is ``home_state`` gets :data:`COMPETENT_STATE`: the card covers necessary care during a
    stay in another state (Regulation (EC) No 883/2004 Art. 19), not care in its competent state, where
    the person is insured under national rules (in the state of residence, if another, through a
    portable document S1, Art. 17; Decision S1). It is a notice and not a failed check, so the verdict
    stays what the checks say: the card is genuine and valid, and whether it is the ground to bill on
    depends on the care and the patient (a frontier worker, a pensioner registered with an S1, a
    different state of stay), which only the desk knows; a refusal would turn a true answer to "is this
    card genuine and valid?" into a false one. Only a card whose institution passed its competence
    check is judged (:attr:`CredentialResult.issuer_id` set): an unvouched state is told nothing of.
    A UK card in Switzerland, Iceland, Liechtenstein or Norway, or one of theirs in the UK, gets the
    condition of the UK's convention with that state on ``day`` (:func:`credentials.ehic.uk_card_condition`,
    :func:`_uk_card`), likewise
    a notice: the card does not say the holder's nationality, nor whether it is a GHIC or a UK EHIC.
    An A1 naming places of work only in other states gets :data:`WORK_ELSEWHERE` (:func:`_work_elsewhere`).
    A PID shown without its portrait gets :data:`NO_PORTRAIT` whatever ``home_state`` (:func:`_no_portrait`)."""
    return _state_notices(results, home_state) + _uk_card(results, home_state, day) + _no_portrait(results)


#: The English words of each :func:`credentials.ehic.uk_card_condition` notice, and whether its ``country``
#: is the card's state (a card at a UK desk) rather than the desk's (a UK card abroad).
_UK_CARD_NOTICES: dict[str, tuple[str, bool]] = {
    ehic.UK_IN_CH: ("A UK card (GHIC or UK EHIC) covers care in Switzerland only for UK, Swiss and EU nationals, "
                    "stateless persons and refugees, and their family members and survivors (UK-Switzerland "
                    "Convention on Social Security Coordination, Art. 2(1), applied since 1 November 2021): ask "
                    "for proof of nationality.", False),
    ehic.UK_BEFORE_AGREEMENT: ("Care before the UK's convention with this state applied (Switzerland: 1 November "
                               "2021; Iceland, Liechtenstein, Norway: 1 January 2024) was covered by a UK card only "
                               "for a person of the citizens' rights agreements, holding a UK EHIC; a GHIC did not "
                               "cover it.", False),
    ehic.CH_IN_UK: ("A Swiss card covers care in the UK only for Swiss, UK and EU nationals, stateless persons and "
                    "refugees, and their family members and survivors (UK-Switzerland Convention on Social "
                    "Security Coordination, Art. 2(1), applied since 1 November 2021): ask for proof of "
                    "nationality.", True),
    ehic.BEFORE_UK_AGREEMENT: ("Care in the UK before the card's state's convention with the UK applied "
                               "(Switzerland: 1 November 2021; Iceland, Liechtenstein, Norway: 1 January 2024) was "
                               "covered by the card only for a person of the citizens' rights agreements (a stay "
                               "or residence in the UK begun before 2021).", True),
}


def _uk_card(results: Sequence[CredentialResult], home_state: str | None, day: date | None) -> list[Notice]:
    """The notice of :func:`credentials.ehic.uk_card_condition` for the first vouched-for EHIC it concerns
    (its competent state as :func:`_state_notices` reads it) at a verifier of ``home_state``: ``country``
    the desk's state for a UK card, the card's state for one at a UK desk."""
    if not isinstance(home_state, str) or not home_state.strip():
        return []
    home = countries.normalise(home_state.strip().upper())
    for result in results:
        if result.vct not in _EHIC_TYPES or result.issuer_id is None:
            continue
        stated = result.claims.get("issuing_country")
        state = stated if isinstance(stated, str) and stated.strip() else result.issuer_country
        if not isinstance(state, str):
            continue
        card = countries.normalise(state.strip().upper())
        key = ehic.uk_card_condition(card, home, day)
        if key is not None:
            message, of_card = _UK_CARD_NOTICES[key]
            return [Notice(key, message, (("country", card if of_card else home),))]
    return []


#: The key of the notice that the PID came without a portrait (:func:`_no_portrait`).
NO_PORTRAIT = "pid.no_portrait"


def _no_portrait(results: Sequence[CredentialResult]) -> list[Notice]:
    """:data:`NO_PORTRAIT` when the answer's one PID (vouched for, :func:`_vouched`) shows no portrait
    the page can show (an image ``data:`` URI, as :func:`verifier.service._display` takes it): the
    holder left it out (it is optional to share), or the PID has none (optional in a PID, PID
    Rulebook §3.1.1). The portrait is how the inspector sees that the phone's owner is the person
    in front of them (domain.md "Inspection"); without it, as for the offline code without a photo
    (:func:`_offline_holder_step`), an identity document answers that. A notice, not a failed check:
    the documents are genuine; only who holds the phone is not seen."""
    pids = [r for r in results if pid.is_pid_type(r.vct) and _vouched(r)]
    if len(pids) != 1:
        return []
    picture = pids[0].claims.get("picture")
    if isinstance(picture, str) and picture.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
        return []
    return [Notice(NO_PORTRAIT, "No photo of the holder was shown: check an identity document to confirm the "
                   "holder.")]


def _state_notices(results: Sequence[CredentialResult], home_state: str | None) -> list[Notice]:
    """The notices of :func:`notices` that depend on the verifier's state (None: nothing is told)."""
    home = countries.normalise(home_state.strip().upper()) if isinstance(home_state, str) and home_state.strip() \
        else None
    if home is None:
        return []
    for result in results:
        if result.vct not in _EHIC_TYPES or result.issuer_id is None:
            continue
        stated = result.claims.get("issuing_country")
        state = stated if isinstance(stated, str) and stated.strip() else result.issuer_country
        if isinstance(state, str) and countries.normalise(state.strip().upper()) == home:
            return [Notice(COMPETENT_STATE, f"This EHIC is of {home}, the state of this verifier: the card does "
                           "not cover care in its own competent state (Regulation (EC) No 883/2004 Art. 19; "
                           "Decision S1); bill such care under national rules.", (("country", home),)),
                    *_work_elsewhere(results, home)]
    return _work_elsewhere(results, home)


#: The key of the notice that an A1 names places of work only in states other than the verifier's
#: (:func:`_work_elsewhere`).
WORK_ELSEWHERE = "pda1.work_elsewhere"
_PDA1_TYPES = frozenset({pda1.VCT, *pda1.ALIASES})


def _place_states(claims: Mapping[str, Any]) -> list[str] | None:
    """The states (ISO spelling, each once, in order) of an A1's places of work (section 5: v1
    ``work_address``, v1.1 ``work_information.work_address[]`` and ``no_fixed_place_of_work``; the
    EUDI model's read as v1.1). A state with no fixed place of work counts as a state of work: the
    A1 names it (rulebook v1.1 ``no_fixed_place_of_work``: one state's code; the EUDI model's and
    the offline code's, a list of them; the paper A1's section 5 "no fixed address" in the states
    listed), so a worker checked in another state is no more covered by it than by an address there.
    None when that says nothing of where the work is: no place shown (not shown cannot be told from
    none), or a place whose state is not a coordination state's code (a notice is never told on a
    guess)."""
    address, info = claims.get("work_address"), claims.get("work_information")
    unfixed: Any = []
    if isinstance(address, Mapping):
        places: Any = [address]
    elif isinstance(info, Mapping):
        places = info.get("work_address", [])
        unfixed = info.get("no_fixed_place_of_work")
        unfixed = [] if unfixed in (None, "", []) else unfixed if isinstance(unfixed, list) else [unfixed]
    else:
        return None
    if not isinstance(places, list) or (not places and not unfixed):
        return None
    named = [place.get("country") if isinstance(place, Mapping) else None for place in places] + list(unfixed)
    states: list[str] = []
    for country in named:
        if not isinstance(country, str) or not countries.is_supported(country.strip().upper()):
            return None
        states.append(countries.normalise(country.strip().upper()))
    return list(dict.fromkeys(states))


#: Section 3 statuses whose legislation does not follow where the work is done (Regulation (EC) No
#: 883/2004; the table in :func:`_work_elsewhere`): an A1 of one covers the work in any state.
_COVERED_WHEREVER = frozenset({"05", "06", "07", "09", "10"})


def _work_elsewhere(results: Sequence[CredentialResult], home: str) -> list[Notice]:
    """:data:`WORK_ELSEWHERE` for the first A1 (its institution vouched for, as for the EHIC's notice)
    whose places of work all lie in states other than ``home``, the verifier's: a posting is to a named
    state (Regulation (EC) No 883/2004 Art. 12), and the inspector's question (Directive 2014/67/EU
    Art. 9) is whether the A1 covers the work done here. A notice, not a failed check: the A1 is
    genuine and valid, and whether the work here is covered (by another A1, a posting moved since)
    only the inspector can find out. None for an A1 of ``home``'s legislation: the A1 then says the
    person is insured here, wherever it says the work is.

    None either for a status (section 3) whose legislation the Regulation ties to something other
    than where the work is done: the A1 then covers the work here too, and "the work is in another
    state" would be false (:data:`_COVERED_WHEREVER`):

    ====  ==========================================  =====================================  ======
    code  status                                      883/2004                               notice
    ====  ==========================================  =====================================  ======
    01    posted employed person                      Art. 12(1): a posting to a named state yes
    02    employed in two or more states              Art. 13(1): decided on where the work  yes
                                                      is (987/2009 Art. 14(8)-(10); a new
                                                      state is a change, 987/2009 Art. 16)
    03    posted self-employed person                 Art. 12(2), as 01                      yes
    04    self-employed in two or more states         Art. 13(2), as 02                      yes
    05    civil servant                               Art. 11(3)(b): the administration's    no
                                                      state, wherever the work is
    06    contract staff (of the EU institutions)     Art. 15: the legislation opted for,    no
                                                      once, for that employment
    07    mariner                                     Art. 11(4): work on board is deemed    no
                                                      pursued in the flag state (the
                                                      employer's state for a resident there)
    08    employed and self-employed in different     Art. 13(3): the employment's state,    yes
          states                                      decided on where each activity is
    09    civil servant and employed/self-employed    Art. 13(4): the administration's       no
                                                      state, whichever states the other
                                                      activity is in
    10    flight or cabin crew member                 Art. 11(5): deemed pursued in the      no
                                                      home base's state (Annex III to
                                                      Reg. 3922/91)
    11    exception (Art. 16 agreement)               Art. 16(1): agreed for the work the    yes
                                                      agreement names
    12    working in the state whose legislation      Art. 11(3)(a): the state where the     yes
          applies                                     work is (lex loci laboris)
    ====  ==========================================  =====================================  ======

    A status that cannot be read (not shown, not a code) keeps the notice: it is the inspector's cue
    to check, and telling it on an A1 that covers the work costs less than keeping it from one that
    does not."""
    for result in results:
        if result.vct not in _PDA1_TYPES or result.issuer_id is None:
            continue
        legislation = result.claims.get("legislation_country")
        if isinstance(legislation, str) and countries.normalise(legislation.strip().upper()) == home:
            continue
        status = result.claims.get("status_confirmation")
        if isinstance(status, str) and status.strip() in _COVERED_WHEREVER:
            continue
        states = _place_states(result.claims)
        if states and home not in states:
            return [Notice(WORK_ELSEWHERE, f"This A1 names places of work in {', '.join(states)} only; the work "
                           f"checked here is in {home}, the state of this verifier: check whether the A1 covers it.",
                           (("country", home), ("places", ",".join(states))))]
    return []


#: Keys of a ``query`` step that cannot judge the answer: a presentation that cannot be decoded at all
#: (failed: the request is not answered), one that failed its own checks (not run: that check is the reason).
_UNREADABLE, _PRESENTATION_FAILED = "query.unreadable", "query.presentation_failed"


def _query_step(query: Mapping[str, Any], results: Sequence[CredentialResult]) -> Step:
    """The ``query`` step: every presentation (each of a ``multiple`` query too) against its query,
    and the set of them against ``credentials``/``credential_sets`` (OpenID4VP §6.4, §8.6).

    A presentation that failed its own checks (its type is then unknown) cannot be matched with its
    query: the step does not run, and the check that failed is the verdict's reason (OpenID4VP §8.6:
    a KB-JWT or SessionTranscript bound to another request is a holder-binding failure, told apart
    from an answer that cannot be read). Only a presentation that cannot be decoded at all
    (:attr:`CredentialResult.unreadable`) fails the step: "could not be read".

    An answer leaving out optional credential sets is complete (§8.1), and the step says which were
    not presented (only sets of which nothing was shown: a presentation outside an option answered
    whole fails the step, §6.4.2); one that presents nothing at all (every set optional) has no
    document to judge, so the step did not run and the verdict is undetermined, never valid."""
    failed = [r for r in results if r.vct is None]
    if any(r.unreadable for r in failed):
        return Step("query", FAILED, "A presentation could not be read, so the request is not answered.", _UNREADABLE)
    if failed:
        # Its own failed check is the verdict's reason (FAILED before NOT_RUN, _problem_step): an
        # answer bound to another request (key_binding) is told apart from a corrupt one.
        return Step("query", NOT_RUN, f"The answer was not checked against the request: the presentation for "
                                      f"{failed[0].query_id!r} failed its own checks.", _PRESENTATION_FAILED)
    presented: dict[str, list[dcql.Presented]] = {}
    for r in results:
        assert r.vct is not None  # every one without a type is in ``failed``
        presented.setdefault(r.query_id, []).append(
            (r.doc_type, {r.doc_type: r.answered if r.answered is not None else r.claims}, r.disclosed)
            if r.doc_type is not None
            else (r.vct, r.answered if r.answered is not None else r.claims, r.disclosed))
    try:
        missing = dcql.check_response(query, presented)
    except ClaimError as exc:
        return Step("query", FAILED, exc.message)
    not_presented = "; ".join(" or ".join(ids) for ids in missing)
    if not presented:
        return Step("query", NOT_RUN, "The answer presents no document: the request made every one optional "
                                      f"(not presented: {not_presented}), so there is nothing to check.", _NOTHING)
    if missing:
        return Step("query", PASSED, f"The answer presents {', '.join(presented)} as asked and nothing more; "
                                     f"not presented: {not_presented}, which the request made optional.", _PARTIAL)
    return Step("query", PASSED, "The answer contains what was asked for and nothing more.")


def status_value_of(verified: status_list.VerifiedStatusList, ref: status_list.StatusReference) -> int | None:
    """The entry, or None when the index is outside the list (treated as undetermined)."""
    try:
        return status_list.status_of(verified, ref)
    except StatusError:
        return None


def verify_offline(qr_text: str, *, issuers: trust_list.TrustList | None, trust_list_age: float | None, now: datetime,
                   status_lookup: StatusLookup, challenge: bytes | None = None, max_age: int = 60,
                   trust_list_max_age: float | None = None, home_state: str | None = None,
                   care_date: date | None = None) -> Verdict:
    """The offline QR (:mod:`credentials.compact`): the same steps and verdict as online, no network needed.

    The issuer key comes from the cached trust list by ``kid``; the status from the cached status
    list (``status_lookup`` falls back to its cache). A paper credential (no holder key) can be
    valid, and so can the wallet's code, but the verdict says to check an identity document: neither
    carries a photo, and no PID comes with them. One naming no holder is never valid
    (:func:`_offline_holder_step`). ``issuers`` None: as :func:`verify_response` says it (a list
    held too old, or none: "No trust list is cached on this device"). ``home_state``: as for
    :func:`verify_response`, the verifier's own state for :func:`notices`; ``care_date`` too.
    """
    from credentials import compact

    result = CredentialResult("offline")
    steps = result.steps
    if issuers is None:
        step = _no_trust_list(trust_list_age, trust_list_max_age, none_held="No trust list is cached on this device.")
        return Verdict(UNDETERMINED, step.message, [step], [], trust_list_age, now)
    found: dict[str, trust_list.ListedEntity] = {}
    expired: list[datetime] = []

    def resolve(kid: str, vct: str, at: datetime) -> Any:
        try:
            entity, signer = trust_list.issuer_key_by_kid(issuers, kid, vct, at=at, now=now)
        except CredentialError:
            ended = _offline_signer_ended(issuers, kid, vct, at=at, now=now)
            if ended is None:
                raise
            entity, signer, end = ended
            expired.append(end)
        found["entity"] = entity
        return signer.public_key()

    try:
        parsed = compact.parse_qr(qr_text)
        result.vct = parsed.vct
        verified = compact.verify_compact(parsed, resolve_key=resolve, now=now, challenge=challenge, max_age=max_age)
    except CredentialError as exc:
        failed = {"issuer_trust": "issuer_authorised", "issuer_key": "issuer_authorised"}.get(
            exc.code, _STEP_OF_ERROR.get(exc.code, "disclosures"))
        if isinstance(exc, compact.HolderClockError | compact.IssuedAheadError):
            # Signed as it should be, but a clock is off (the phone's, this device's): it cannot be
            # confirmed, never valid; the step says which way, so the inspector checks the clocks.
            steps.append(Step(failed, NOT_RUN, exc.message, exc.key, (("offset_seconds", abs(exc.offset)),)))
            return Verdict(UNDETERMINED, exc.message, [], [result], trust_list_age, now)
        if exc.code == "kb_freshness":
            # A holder proof too old (a screenshot, a phone clock off) is told apart from a copy another
            # phone showed: it says nothing against the document, nor proves the person holds it, so it
            # cannot be confirmed (never valid, nor recorded as a document found not valid); the inspector
            # asks for a fresh code (credentials.compact.verify_compact).
            steps.append(Step(failed, NOT_RUN, exc.message, "key_binding.stale"))
            return Verdict(UNDETERMINED, exc.message, [], [result], trust_list_age, now)
        steps.append(Step(failed, FAILED, exc.message, _trust_key(exc)))
        return Verdict(INVALID, exc.message, [], [result], trust_list_age, now)
    entity = found["entity"]
    problem = competence_problem(entity, _TYPES.get(verified.vct), verified.fields, vct=verified.vct)
    if problem is not None:
        steps.append(Step("issuer_authorised", FAILED, problem[1]))
        return Verdict(INVALID, problem[1], [], [result], trust_list_age, now)
    result.issuer_id, result.issuer_name, result.iat = entity.id, entity.name_en, verified.iat
    result.issuer_country = entity.country
    result.claims = dict(verified.fields)
    steps.append(Step("issuer_signature", PASSED, "The institution's signature is genuine."))
    if expired:
        steps.append(_signer_expired(entity.name_en, expired[0], now))
    steps += [
        Step("issuer_authorised", PASSED, f"{entity.name_en} ({entity.id}) is competent to issue this document."),
        Step("token_validity", PASSED, "The signed credential is within its validity."),
    ]
    if verified.holder_bound:
        steps.append(Step("key_binding", PASSED, "The phone holding the document's key signed this code just now."))
    else:
        steps.append(Step("key_binding", PASSED, _PAPER))
    top = [_offline_holder_step(verified.fields, holder_bound=verified.holder_bound)]
    module = _TYPES.get(verified.vct)
    steps += _validity_steps(module, verified.fields, now.date(), care_date=care_date)
    if verified.status is None:
        steps.append(Step("status", FAILED, "The document carries no status reference.", _NO_STATUS))
    else:
        outcome = status_lookup(verified.status, entity, now)
        result.status_value, result.status_age = outcome.value, outcome.age_seconds
        result.status_source, result.status_ref = outcome.source, verified.status
        if outcome.value is None:
            why = outcome.message or "No status list is cached for this institution."
            steps.append(Step("status", FAILED if outcome.forged else NOT_RUN, _with_detail(why, outcome), outcome.key,
                              outcome.params))
        elif outcome.value == status_list.VALID:
            steps.append(Step("status", PASSED, "The institution had not withdrawn or suspended the document "
                                                "when its status list was last fetched."))
        else:  # a copy stopped stays so, however often it is shown
            steps.append(_status_failed(module, outcome.value))
        if outcome.value is not None and outcome.detail:  # a final entry of a list held past its end
            steps[-1] = _as_of_list(steps[-1], outcome)
    every = top + steps
    notice = _notice(top)
    told = notices([result], home_state, day=care_date or now.date())
    reason = _first_problem(every) or (notice.message if notice is not None else "") or \
        (told[0].message if told else "")
    return Verdict(_combine(every), reason, top, [result], trust_list_age, now, told,
                   care_date if module is ehic else None)


def _offline_signer_ended(issuers: trust_list.TrustList, kid: str, vct: str, *, at: datetime,
                          now: datetime) -> tuple[trust_list.ListedEntity, Any, datetime] | None:
    """An offline code's signer that :func:`trust_list.issuer_key_by_kid` refused, when the refusal is
    only that its certificate (or its CA's) ended after the code's ``iat`` (module docstring): the
    listed key as it was at ``at``, its chain to the institution's CA validated then
    (:func:`chain_ended_since`), and the trust list vouching for it as for any chain
    (:func:`trust_list.authorised_issuer` at ``at``: not revoked, listed then, the institution not
    suspended ``now``); the entity, the certificate and when the chain ended. None for anything else."""
    try:
        entity, signer = trust_list.issuer_key_by_kid(issuers, kid, vct, at=at, now=min(at, now))
        anchors = entity.anchors()
        ended = chain_ended_since(lambda when: validate_chain([signer], anchors, now=when), issued_at=at, now=now)
        if ended is None:
            return None
        chain, end = ended
        authorised = trust_list.authorised_issuer(issuers, chain, vct, at=at, now=now)
    except CredentialError:
        return None
    if authorised.entity.id != entity.id:
        return None
    return entity, signer, end


_PAPER = "Paper document: check an identity document to confirm the holder."
#: Reason keys of an offline code's ``holder_link`` step (:func:`_offline_holder_step`).
_CHECK_IDENTITY, _NO_HOLDER = "holder_link.check_identity", "holder_link.no_holder"


def _offline_holder_step(fields: Mapping[str, Any], *, holder_bound: bool) -> Step:
    """The ``holder_link`` step of an offline code: is it the document of the person in front of the
    inspector? No PID comes with it, and it carries no photo (:mod:`credentials.compact` has no field
    for one: a portrait would not fit a QR code), only the holder's name and birth date, which the
    inspector compares with an identity document: the valid verdict says so (a notice, as for the
    online ``same_wallet`` link). A code naming no one (no name, or no birth date) has nothing to
    compare, so it is tied to nobody: not run, and the verdict is undetermined, never valid (a paper
    copy printed for a case without them; the issuer refuses to print one)."""
    named = any(str(fields.get(k) or "").strip() for k in ("family_name", "given_name")) \
        and str(fields.get("birthdate") or "").strip()
    if not named:
        return Step("holder_link", NOT_RUN, "The document names no holder (name and date of birth): nothing can be "
                    "compared with an identity document, so it cannot be tied to the person checked.", _NO_HOLDER)
    if holder_bound:
        return Step("holder_link", PASSED, "Offline QR code without a photo: check an identity document to confirm "
                    "the holder.", _CHECK_IDENTITY)
    return Step("holder_link", PASSED, _PAPER, "paper")
