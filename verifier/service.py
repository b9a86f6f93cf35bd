"""The verifier's use cases: presentation requests, answers at the response_uri, verdicts, proofs.

A transaction (:mod:`verifier.transactions`, in the verifier's database, so that every replica
sees it) lives for ``request_ttl`` seconds: its nonce, state, DCQL query and the ephemeral ECDH-ES
key for direct_post.jwt (a fresh key per request, HAIP 1.0 §5). Answers are accepted once, across
replicas. Personal data of a verdict is erased after it has been shown (retention configurable;
the browser session that showed it sees it again for a short grace, :meth:`VerifierService.result`);
the verification proof holds none.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from cryptography.x509 import Certificate

from credentials import (
    countries,
    dcql,
    ehic,
    eudi_pda1,
    i18n,
    mdoc,
    openid4vp,
    pda1,
    pid,
    status_list,
    trust_list,
    verification,
)
from credentials.errors import CredentialError, ProtocolError
from credentials.jose import PrivateKey, b64url_decode, decode_jws, sign_jws
from credentials.x509 import ChainValidator, x5c_header
from esspass.status_client import HeldList, Prefetched
from trust_registry.client import REVALIDATE_AFTER, TrustListTooOld, TrustListUnavailable
from verifier import messages, records
from verifier.settings import PID_NUMBER_STATES, PROFILES
from verifier.transactions import Transaction, TransactionStore, UnreadableTransaction, viewer_hash

__all__ = ["PROFILES", "VerifierService", "entity_state", "profile_query", "query_check", "readiness"]

#: ``personal_administrative_number`` of the A1 and the EHIC: what ties them to the PID (holder_link).
_PDA1_CLAIMS = ("personal_administrative_number", "document_number", "legislation_country", "status_confirmation",
                "starting_date", "ending_date", "employer", "issuing_country")
#: Section 5 of the A1, the places of work: the flat v1 ``work_address`` or the rulebook v1.1
#: ``work_information`` (domain.md §PDA1). A posting is to a named state (883/2004 Art. 12), and the
#: inspector's question (Directive 2014/67/EU Art. 9) is whether the A1 covers the work done here.
_PDA1_PLACES = ("work_address", "work_information")
_EHIC_CLAIMS = ("personal_administrative_number", "document_number", "issuing_country")
#: A card has its expiry date; a Provisional Replacement Certificate its own period instead (Decision S2).
#: ``subject`` names the insured person when the card is for someone the holder represents (a child).
_EHIC_VALIDITY = (("date_of_expiry",), ("starting_date", "ending_date"))
#: Decision S2 fields 3-5 of the holder's own card (credentials/ehic.py ``with_holder``): the names the
#: desk bills under, compared with the PID's where one is shown (credentials/holder_link.py). Asked
#: of the mdoc only: the SD-JWT VC shows them in the clear, asked or not (credentials/ehic.py).
_EHIC_HOLDER = tuple(ehic.HOLDER_CLAIMS)
#: Section 1's surname, forenames and date of birth of an A1 (credentials/pda1.py ``with_holder``),
#: compared with the PID's where no personal number ties them; asked of the mdoc only, as the EHIC's.
_PDA1_HOLDER = tuple(pda1.HOLDER_CLAIMS)
#: A PRC's (c) date of delivery and fields 8 and 9 of the card it replaces (credentials/ehic.py): shown on the
#: printout for the billing file (Decision S2, Annex 2), and erased with the person. An A1's date of issue
#: comes too, unshown.
_EHIC_PRC = ("date_of_issuance", *ehic.PRC_CARD_CLAIMS)
_PID_CLAIMS = ("family_name", "given_name", "birthdate")


def _claims(names: tuple[str, ...], prefix: str) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "path": [n]} for i, n in enumerate(names)]


#: The credential query of a PID that has no personal number (:func:`_pid_query`), and of its mdoc form.
_PID_UNNUMBERED = "pid_unnumbered"


def _pid_query(numbered: bool = True) -> dict[str, Any]:
    """The PID of any member state's provider: the EU-wide type or its national one (PID Rulebook §4.2).

    ``date_of_expiry`` is mandatory metadata (§2.4): ours always disclose it, another provider may
    make it selectively disclosable, so it is asked for, and ``document_validity`` checks it. The
    options with it come first, and a wallet answers with the first one it can (OpenID4VP §6.4.1),
    so a PID that has it shows it; the ones without it keep PIDs issued before the metadata usable.

    ``personal_administrative_number`` (§2.3, optional in a PID) and ``issuing_country`` (§2.4) tie
    the PID to the A1 or EHIC beside it (:mod:`credentials.holder_link`): the inspection needs the
    number (without it a PID of a state of ``pid_number_states`` leaves the link undetermined), so the
    ``numbered`` query asks it in every ``claim_sets`` option: a wallet may leave out only what is not
    in every option (§6.4.1), and lets the worker untick only those. The state is asked with
    it first; a PID not showing it (an mdoc shows element by element) is of its provider's state. A PID without a
    number (Germany has no national personal number) answers the other query (``numbered=False``,
    :data:`_PID_UNNUMBERED`), a later option of the same credential set (§6.4.2: the first option the
    wallet can answer): were it a ``claim_sets`` fallback of this query, the number would be optional
    for every PID that has one.
    """
    claims = [*_claims(_PID_CLAIMS, "p"), {"id": "pic", "path": ["picture"]}, {"id": "exp", "path": ["date_of_expiry"]}]
    base = [c["id"] for c in claims[:len(_PID_CLAIMS)]]
    links: tuple[list[str], ...] = ([],)
    if numbered:
        claims += [{"id": "pan", "path": ["personal_administrative_number"]}, {"id": "ic", "path": ["issuing_country"]}]
        # The state too where the PID shows it; one that does not is its provider's (holder_link).
        links = (["pan", "ic"], ["pan"])
    return {"id": pid.CONFIGURATION_ID if numbered else _PID_UNNUMBERED, "format": "dc+sd-jwt",
            "meta": {"vct_values": [pid.VCT, *pid.ALIASES]}, "claims": claims,
            "claim_sets": [[*base, *link, *extra] for link in links
                           for extra in (["pic", "exp"], ["exp"], ["pic"], [])]}


#: What an A1's or EHIC's SD-JWT VC always shows (never selectively disclosable, domain.md "Common
#: block") and its mdoc must be asked for, since there every data element may be left out (ISO
#: 18013-5 §8.3.2.1.2.2): the issuing authority, whose ``id`` the competence check compares with
#: the signer, and the document's own dates, which ``document_validity`` checks. An EHIC's also
#: ``authentic_source``, the competent institution (Decision S2 field 7) the desk bills, which the
#: verdict shows; an A1's is not asked for, as its inspection does not use it.
_MDOC_IN_CLEAR = ("issuing_authority", "date_of_issuance")
_MDOC_IN_CLEAR_OF = {pda1.CONFIGURATION_ID: _MDOC_IN_CLEAR,
                     ehic.CONFIGURATION_ID: (*_MDOC_IN_CLEAR, "authentic_source")}
_MDOC_EXPIRY = "date_of_expiry"
#: An A1's boxes 2.5 and 2.4 (:data:`_PDA1_BOXES`), which its SD-JWT VC shows unasked: its mdoc shows an
#: element only when asked (ISO/IEC 18013-5 §8.3.2.1.2; OpenID4VP §6.1 ``claims``), so they are asked, as
#: optional claims (an A1 may have neither, or one), or a provisional mdoc A1 reads as definitive (review R3, 2).
_MDOC_BOX_OPTIONS = (("mprov", "mdur"), ("mprov",), ("mdur",), ())


def _as_mdoc(query: dict[str, Any]) -> dict[str, Any]:
    """The same credential query for the document's ISO mdoc form (``mso_mdoc``, paths [namespace, element]).
    A PID's elements have the PID Rulebook's mdoc names (§3.1.1: ``birth_date``, ``portrait``...).

    An A1's or EHIC's is also asked for what its SD-JWT VC shows in the clear (:data:`_MDOC_IN_CLEAR`,
    and ``date_of_expiry`` where the SD-JWT VC query does not name it), in every ``claim_sets``
    option (§6.4.1). ``date_of_expiry`` is optional for an A1 (domain.md), so an option without it
    comes last: a wallet answers with the first it can, and an A1 that has an expiry date shows it;
    one shown without it is not confirmed valid (``document_validity``, credentials/verification.py),
    whether it had none or the wallet withheld it. An A1's is asked for boxes 2.5 and 2.4 too
    (:data:`_MDOC_BOX_OPTIONS`): each option with both first, then with one, then with neither, so an A1
    that has them shows them and one without them still answers."""
    kind = pid.CONFIGURATION_ID if query["id"] == _PID_UNNUMBERED else query["id"]
    doctype = mdoc.DOCTYPES[kind]
    names = pid.MDOC_ELEMENTS if kind == pid.CONFIGURATION_ID else {}
    claims = [{**c, "path": [doctype, names.get(c["path"][0], c["path"][0]), *c["path"][1:]]}
              for c in query["claims"]]
    twin: dict[str, Any] = {"id": f"{query['id']}_mdoc", "format": dcql.MDOC_FORMAT,
                            "meta": {"doctype_value": doctype}, "claims": claims}
    sets: list[list[str]] | None = query.get("claim_sets")
    if query["id"] in (pda1.CONFIGURATION_ID, ehic.CONFIGURATION_ID):
        asked = {c["path"][0] for c in query["claims"]}
        options = sets or [[c["id"] for c in query["claims"]]]
        clear = [n for n in _MDOC_IN_CLEAR_OF[query["id"]] if n not in asked]
        claims += [{"id": f"m{i}", "path": [doctype, n]} for i, n in enumerate(clear)]
        always = [f"m{i}" for i in range(len(clear))]
        if _MDOC_EXPIRY in asked:
            sets = [[*o, *always] for o in options]
        else:
            claims.append({"id": "mexp", "path": [doctype, _MDOC_EXPIRY]})
            sets = [*([*o, *always, "mexp"] for o in options), *([*o, *always] for o in options)]
        if query["id"] == pda1.CONFIGURATION_ID:
            claims += [{"id": "mprov", "path": [doctype, "determination_provisional"]},
                       {"id": "mdur", "path": [doctype, "applies_for_duration"]}]
            sets = [[*o, *boxes] for o in sets for boxes in _MDOC_BOX_OPTIONS]
    if sets is not None:
        twin["claim_sets"] = sets
    return twin


def profile_query(profile: str) -> dict[str, Any]:
    """The DCQL query of an inspection profile (OpenID4VP §6): the document plus the PID in one request,
    each as SD-JWT VC or as ISO mdoc, whichever the wallet holds (``credential_sets``, §6.2).

    The A1's PID is required (the inspection's use case, domain.md: the A1 *and* the PID). The EHIC's
    is optional (``required: false``): a patient may hold no PID (a state whose provider is not live,
    a UK or Swiss resident), and the card alone is judged as its offline QR code is, valid with the
    words to check an identity document (:func:`credentials.verification._ehic_without_pid`); a
    wallet holding a PID answers with it (§6.4.2), and the two are then linked as before."""
    alternatives: list[dict[str, Any]] = []
    twin_of: dict[str, dict[str, Any]] = {}  # a query whose mdoc form asks for more than itself
    if profile == "pda1":
        # The places of work in either shape (:data:`_PDA1_PLACES`), in claim_sets (§6.4.1): an A1 has
        # one shape or the other, or none (a civil servant's, 05, may name no place), and a claim a
        # credential lacks makes an option it is in unanswerable; the wallet answers with the first
        # option it can, so an A1 that names its places shows them.
        base = _claims(_PDA1_CLAIMS, "a")
        places = [{"id": f"w{i}", "path": [n]} for i, n in enumerate(_PDA1_PLACES)]
        a1_ids = [c["id"] for c in base]
        doc = {"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]}, "claims": base + places,
               "claim_sets": [*([*a1_ids, p["id"]] for p in places), a1_ids]}
        # Section 1's names (:data:`_PDA1_HOLDER`), as the EHIC's fields 3-5: asked of the mdoc only, first
        # with them, then without (an A1 signed before they were); the SD-JWT VC shows them unasked.
        holder = _claims(_PDA1_HOLDER, "h")
        twin_of["pda1"] = {**doc, "claims": [*doc["claims"], *holder],
                           "claim_sets": [*([*o, *(h["id"] for h in holder)] for o in doc["claim_sets"]),
                                          *doc["claim_sets"]]}
        # An A1 in the EUDI reference model holds the same facts under other names (domain.md), its
        # places of work in ``places_of_work``.
        eudi = [{"id": f"u{i}", "path": list(path)} for i, path in enumerate(eudi_pda1.QUERY_PATHS)]
        eudi_ids = [c["id"] for c in eudi]
        alternatives.append({"id": "pda1_eudi", "format": "dc+sd-jwt", "meta": {"vct_values": [eudi_pda1.VCT]},
                             "claims": [*eudi, {"id": "uw", "path": ["places_of_work"]}],
                             "claim_sets": [[*eudi_ids, "uw"], eudi_ids]})
    elif profile == "ehic":
        claims = _claims((*_EHIC_CLAIMS, "date_of_expiry", "starting_date", "ending_date", "subject", *_EHIC_HOLDER),
                         "e")
        ids = {c["path"][0]: c["id"] for c in claims}
        base = [ids[n] for n in _EHIC_CLAIMS]
        # §6.4.1: the wallet answers with the first set it can; a card for a represented person names
        # them, the holder's own card its holder (fields 3-5); one issued before it did, neither.
        # The mdoc is asked for fields 3-5 (its elements come only when asked); an mdoc card of the
        # holder's own dated from the cutover that does not show them is undetermined beside a PID
        # (credentials/holder_link.py NAMES_WITHHELD). The SD-JWT VC is not: they come in the clear
        # (credentials/ehic.py), and asking would make wallets refuse an inspectorate registered
        # before them (review R6, finding 1).
        holder = [ids[n] for n in _EHIC_HOLDER]
        sets = [[*base, *(ids[n] for n in validity), *extra] for validity in _EHIC_VALIDITY
                for extra in ([ids["subject"]], holder, [])]
        meta = {"vct_values": [ehic.VCT, *ehic.ALIASES]}
        twin_of["ehic"] = {"id": "ehic", "format": "dc+sd-jwt", "meta": meta, "claims": claims, "claim_sets": sets}
        doc = {"id": "ehic", "format": "dc+sd-jwt", "meta": meta,
               "claims": [c for c in claims if c["id"] not in holder],
               "claim_sets": [o for o in sets if not set(o) & set(holder)]}
    else:
        raise ProtocolError("invalid_request", f"unknown inspection profile {profile!r}")
    queries = [doc, _pid_query(), _pid_query(numbered=False)]
    options = [[[q["id"]], [f"{q['id']}_mdoc"]] for q in queries]
    options[0] += [[a["id"]] for a in alternatives]
    # One PID: with its number if it has one, else without (§6.4.2, the first option the wallet can answer).
    options[1] += options.pop()
    credential_sets: list[dict[str, Any]] = [{"options": o} for o in options]
    if profile == "ehic":
        credential_sets[1]["required"] = False
    return {"credentials": [*queries, *(_as_mdoc(twin_of.get(q["id"], q)) for q in queries), *alternatives],
            "credential_sets": credential_sets}


#: A document type (SD-JWT VC ``vct``, mdoc doctype) -> the check it is asked for in (:func:`query_check`).
_CHECK_OF_TYPE = {
    **dict.fromkeys((pda1.VCT, *pda1.ALIASES, mdoc.DOCTYPES[pda1.CONFIGURATION_ID]), "pda1"),
    **dict.fromkeys((ehic.VCT, *ehic.ALIASES, mdoc.DOCTYPES[ehic.CONFIGURATION_ID]), "ehic"),
    **dict.fromkeys((pid.VCT, *pid.ALIASES, mdoc.DOCTYPES[pid.CONFIGURATION_ID]), "pid"),
}


def query_check(query: Mapping[str, Any]) -> str:
    """The check a DCQL query of the caller's own (``POST /api/requests``) is, for the purpose its
    request states to the worker's wallet (OpenID4VP 1.0 §5.1 ``purpose``, shown on the consent
    screen): ``ehic`` when the documents it asks for are EHICs, ``pda1`` when they are A1s (the
    labour inspection), a PID beside them or not; ``other`` for anything else (both, the PID alone,
    a type or format no check of ours reads), whose purpose is a neutral one: "labour inspection"
    would misstate a hospital's check of a card, and the EHIC's words an inspector's.
    ``query`` has passed :func:`credentials.dcql.validate` (its types are then strings)."""
    checks: set[str] = set()
    for cq in query["credentials"]:
        meta = cq["meta"]
        if cq["format"] in dcql.SD_JWT_FORMATS:
            types = list(meta["vct_values"])
        elif cq["format"] == dcql.MDOC_FORMAT:
            types = [meta["doctype_value"]]
        else:
            types = []
        checks |= {_CHECK_OF_TYPE.get(t, "other") for t in types} or {"other"}
    checks.discard("pid")
    return checks.pop() if len(checks) == 1 else "other"


#: How far back a day of care may lie (:func:`care_date_of`): five years, the longest an EHIC of ours
#: is valid (a card's expiry, :data:`credentials.ehic.VALID_MAX_YEARS`), which also covers the late
#: claims of 987/2009 Art. 67(1) (twelve months after the half-year of the care) and their corrections.
CARE_DATE_MAX_YEARS = ehic.VALID_MAX_YEARS


def care_date_of(text: str | None, today: date) -> date | None:
    """The day of care an EHIC check is made for (``care_date``, an ISO 8601 full-date), or None for
    today (absent or empty). Not after ``today`` (cover is checked for care given, not booked), and
    not more than :data:`CARE_DATE_MAX_YEARS` before it; else ``invalid_request``."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ProtocolError("invalid_request", "care_date must be a date, YYYY-MM-DD")
    if day > today:
        raise ProtocolError("invalid_request", "care_date is in the future")
    if day < earliest_care_date(today):
        raise ProtocolError("invalid_request", f"care_date is more than {CARE_DATE_MAX_YEARS} years ago")
    return day


def earliest_care_date(today: date) -> date:
    """The first day a date of care may be (:data:`CARE_DATE_MAX_YEARS` before ``today``; 28 February
    for a 29th)."""
    return date(today.year - CARE_DATE_MAX_YEARS, today.month,
                28 if (today.month, today.day) == (2, 29) else today.day)


@runtime_checkable
class Prefetching(Protocol):
    """A status lookup that can fetch every list ahead (:class:`esspass.status_client.StatusClient`)."""

    def prefetch(self, issuers: trust_list.TrustList, now: datetime) -> Prefetched: ...


@runtime_checkable
class Holding(Protocol):
    """A status lookup that tells which lists it holds, until when, and what they say of an entry
    (:class:`esspass.status_client.StatusClient`)."""

    def held(self, issuers: trust_list.TrustList) -> list[HeldList]: ...

    def known(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity) -> int | None: ...


def recheck_records(records_store: records.RecordStore, lookup: Holding, issuers: trust_list.TrustList,
                    now: datetime) -> int:
    """Look every document in ``records_store`` up again in the status lists ``lookup`` holds, and mark
    those withdrawn since their check (:meth:`verifier.records.RecordStore.recheck`): the page's and the
    API's prefetch, and ``esspass verifier prefetch``. How many were marked."""
    def look_up(issuer_id: str, uri: str, idx: int) -> int | None:
        entity = issuers.entity(issuer_id)
        try:
            return None if entity is None else lookup.known(status_list.StatusReference(idx, uri), entity)
        except CredentialError:  # a reference no longer valid (a URI refused since): nothing to tell
            return None

    return records_store.recheck(look_up, now.timestamp())


def readiness(held: list[HeldList], issuers: trust_list.TrustList | None, *, trust_until: float | None,
              trust_issued: float | None, zone: tzinfo) -> dict[str, Any]:
    """What a device holds for checks without network, and until when each list lets it decide
    (ISO 8601 in ``zone``): each status list until the earlier of its ``exp`` and its maximum age
    (draft-ietf-oauth-status-list §8.3 step 4, :class:`esspass.status_client.HeldList`; past it only
    a final entry is still told), each institution until its earliest list, the trust list until its
    maximum age from its issuance (trust_registry.client), and ``checks_without_network_until``, the
    earliest of them all (None when no status list or no trust list is held that may answer): after
    it, checks without network show "cannot be confirmed" until the lists are fetched again."""
    def iso(ts: float | None) -> str | None:
        return None if ts is None else datetime.fromtimestamp(ts, zone).isoformat(timespec="seconds")

    ends: dict[str, float] = {}
    for h in held:
        ends[h.institution] = min(h.until, ends.get(h.institution, h.until))
    institutions = []
    for entity_id, end in sorted(ends.items()):
        entity = issuers.entity(entity_id) if issuers is not None else None
        institutions.append({"id": entity_id, "name": entity.name if entity else "",
                             "name_en": entity.name_en if entity else "", "country": entity.country if entity else "",
                             "answers_until": iso(end)})
    earliest = min([*ends.values(), *([trust_until] if trust_until is not None else [])], default=None)
    return {"checks_without_network_until": iso(earliest) if held and trust_until is not None else None,
            "trust_list": None if trust_until is None else {"issued_at": iso(trust_issued),
                                                            "usable_until": iso(trust_until)},
            "institutions_held": institutions,
            "held_status_lists": [{"institution": h.institution, "uri": h.uri, "listed_at": iso(h.listed_at),
                                   "fetched_at": iso(h.fetched_at), "answers_until": iso(h.until)} for h in held]}


#: cross_device: the inspector's screen shows a QR code for the worker's phone; same_device: the
#: page runs on the phone that holds the wallet (a remote check, a self check-in).
FLOWS = ("cross_device", "same_device")
#: How often one code gets more time (:meth:`VerifierService.renew`): WCAG 2.2.1 Timing Adjustable
#: asks that the user may extend at least ten times. Counted as time, not presses: one code answers
#: until at most ``(RENEWALS + 1) * request_ttl`` after it was made (55 minutes at the default five),
#: which ten presses each made just before it ends reach; then a new code (a fresh nonce and state),
#: so that no one QR code or link stays answerable for as long as a page asks (relay and phishing
#: window, security review R9, finding 4).
RENEWALS = 10


def _unauthorised_issuer(verdict: verification.Verdict) -> bool:
    """Whether the issuers list held does not place the issuer of a document of ``verdict``: its chain to
    no CA the list holds (an institution just registered, a new CA), or not authorised (a key or role)."""
    return any(step.code in ("issuer_chain", "issuer_authorised") and step.result == verification.FAILED
               for result in verdict.credentials for step in result.steps)


class VerifierService:
    """Creates requests and verifies answers; I/O for trust and status is injected."""

    #: Signed answers the request_uri gives to ``wallet_nonce`` POSTs, per transaction. The
    #: request_uri is open to anyone who sees the QR code and each answer is a signature by the
    #: access key (in an HSM, one at a time per process): a wallet needs one (a retry or two at most).
    max_request_posts = 3

    def __init__(self, *, store: TransactionStore, document_ref_key: bytes, entity_id: str, access_key: PrivateKey,
                 access_x5c: list[Certificate], base_url: str,
                 issuers: Callable[[datetime], tuple[trust_list.TrustList | None, float | None]],
                 status_lookup: verification.StatusLookup, request_ttl: int = 300, client_id_prefix: str = "x509_hash",
                 response_mode: str = "direct_post.jwt", retention_seconds: int = 0,
                 policy_version: str = "esspass-2026-11", clock: Callable[[], datetime] | None = None,
                 redirect_origins: Collection[str] = (), zone: tzinfo = UTC, request_uri_method: str = "get",
                 records_days: int = 730, pid_number_states: Collection[str] = PID_NUMBER_STATES,
                 result_grace: int = 120, purposes: Mapping[str, Mapping[str, str]] | None = None,
                 home_state: Callable[[datetime], str | None] | None = None,
                 verifiers: Callable[[datetime], trust_list.TrustList] | None = None,
                 trust_list_max_age: float | None = None,
                 revalidate_issuers: Callable[[datetime], trust_list.TrustList | None] | None = None,
                 refresh_issuers: Callable[[datetime], trust_list.TrustList] | None = None) -> None:
        self.entity_id = entity_id
        #: The issuers list fetched now whatever its age (the held one when the registry does not answer),
        #: for :meth:`prepare_offline`; None: the list as :attr:`issuers` holds it.
        self.refresh_issuers = refresh_issuers
        #: The issuers list fetched again, or None (:meth:`verify`: a document whose issuer the list held
        #: does not authorise; :meth:`trust_registry.client.TrustListClient.revalidate`); None: never.
        self.revalidate_issuers = revalidate_issuers
        #: How long after its issuance the issuers list held is used (the trust list client's max_age),
        #: for :meth:`readiness`; None: not told.
        self.trust_list_max_age = trust_list_max_age
        #: The verifiers trusted list at a time, whose registration of this verifier's access certificate
        #: bounds what its requests ask (:meth:`within_registration`); None: asked as the query says.
        self.verifiers = verifiers
        #: (vct, claim) -> when this process first found the registration allowing it; the claims of a
        #: type as first found are settled from the start (:meth:`_settled`).
        self._claims_seen: dict[tuple[str, str], datetime] = {}
        #: Each check's purpose as the deployment states it (``ESSPASS_VERIFIER_PURPOSES``, normalised
        #: by :class:`verifier.settings.VerifierSettings`): profile -> {language tag: text}, "" the
        #: text for every language.
        self.purposes = {profile: dict(texts) for profile, texts in (purposes or {}).items()}
        #: This verifier's own state (ISO code) at a time: an EHIC of it gets a notice
        #: (:func:`credentials.verification.notices`). Default: the state the entity's id names.
        self.home_state = home_state or (lambda _now: entity_state(entity_id))
        #: The states whose PIDs carry the personal number of their A1s and EHICs: a PID of one that
        #: does not show it leaves the verdict undetermined (:func:`credentials.holder_link.link`).
        self.pid_number_states = frozenset(pid_number_states)
        #: Where "today" is: documents are judged on the inspection's local date, not UTC's.
        self.zone = zone
        self.access_key, self.access_x5c = access_key, access_x5c
        self.base_url = base_url.rstrip("/")
        self.issuers = issuers
        self.status_lookup = status_lookup
        self.request_ttl, self.retention = request_ttl, retention_seconds
        #: Seconds the browser session that first showed a verdict sees it again with the person
        #: (a language switch, a reload), whatever the retention (:meth:`result`).
        self.result_grace = result_grace
        self.client_id_prefix, self.response_mode = client_id_prefix, response_mode
        if request_uri_method not in ("get", "post"):
            raise ValueError("request_uri_method must be get or post")
        #: ``post``: the request link says ``request_uri_method=post`` and a wallet may POST its
        #: ``wallet_nonce`` to the request_uri (OpenID4VP §5.10); a GET is served either way, a POST
        #: only then (:meth:`check_request_uri_post`).
        self.request_uri_method = request_uri_method
        self.policy_version = policy_version
        self.clock = clock or (lambda: datetime.now(UTC))
        self.chains = ChainValidator()
        self.store = store
        #: Origins (``https://portal.example``) an integrator's same-device request may send the browser back to.
        self.redirect_origins = frozenset(o.rstrip("/") for o in redirect_origins)
        self._proof_secret = document_ref_key
        #: The inspectorate's lasting record of its checks (:mod:`verifier.records`), kept ``records_days``
        #: (0: for ever); days are this verifier's (``zone``).
        self.records = records.RecordStore(store.engine, document_ref_key, zone)
        self.records_days = records_days

    # --- requests --------------------------------------------------------------------------------

    def create_request(self, *, profile: str | None = None, query: Mapping[str, Any] | None = None,
                       response_mode: str | None = None, client_id_prefix: str | None = None,
                       purpose: str | None = None, flow: str = "cross_device",
                       redirect_uri: str | None = None, inspector: str | None = None,
                       viewer: str | None = None, care_date: str | None = None) -> Transaction:
        """A new presentation request: fresh nonce/state/key, signed Request Object kept for request_uri.
        ``viewer``: the browser session starting it, whose earlier verdicts' grace ends (:meth:`end_grace`).

        ``flow`` ``same_device``: the browser that asks opens the wallet itself, and gets the verdict
        only when the wallet sends it back with the response_code (OpenID4VP §13.3, HAIP §5): to
        ``redirect_uri`` (an integrator's page, on an allowed origin), else to our own page.

        ``care_date``: an EHIC check for a day of care (:func:`care_date_of`); the A1's inspection is
        of today, always."""
        if flow not in FLOWS:
            raise ProtocolError("invalid_request", f"flow must be one of {', '.join(FLOWS)}")
        if redirect_uri is not None:
            self._check_redirect(redirect_uri, flow)
        now = self.clock()
        if query is None:
            inspection = profile or "pda1"
            query = dcql.validate(profile_query(inspection))
        else:  # a query of the caller's own: the purpose of the check it is, by what it asks for
            query = dcql.validate(dict(query))
            inspection = query_check(query)
        query, _left_out = self.within_registration(query, now)
        care = care_date_of(care_date, now.astimezone(self.zone).date())
        if care is not None and inspection != "ehic":
            raise ProtocolError("invalid_request", "a care_date is for the EHIC check only")
        translations: dict[str, str] = {}
        if not purpose:  # the inspection's own (an API caller's: as given)
            purpose, translations = self._purpose(inspection)
        mode = response_mode or self.response_mode
        if mode not in ("direct_post", "direct_post.jwt"):
            raise ProtocolError("invalid_request", "response_mode must be direct_post or direct_post.jwt")
        try:
            client_id = openid4vp.client_id_for(self.access_x5c[0], client_id_prefix or self.client_id_prefix,
                                                host=urlsplit(self.base_url).hostname or "")
        except ValueError as exc:
            raise ProtocolError("invalid_request", str(exc)) from exc
        tx_id = secrets.token_urlsafe(18)
        nonce, state = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        key = openid4vp.new_encryption_key() if mode == "direct_post.jwt" else None
        iat = int(now.timestamp())
        purpose = purpose[:openid4vp.MAX_PURPOSE]
        payload = openid4vp.build_request(
            client_id=client_id, response_uri=f"{self.base_url}/responses/{tx_id}", nonce=nonce, state=state,
            dcql_query=query, response_mode=mode, iat=iat, exp=iat + self.request_ttl, encryption_key=key,
            purpose=purpose, purpose_translations=translations,
            # What this inspectorate keeps of the check, for the worker's consent screen (GDPR Art. 13(2)(a)).
            retention={"records_days": self.records_days,
                       "personal_data_seconds": max(self.retention, self.result_grace, 0)})
        token = openid4vp.sign_request(payload, key=self.access_key, x5c=self.access_x5c)
        tx = Transaction(tx_id, "online", nonce, state, client_id, dict(query), mode, token, key, now.timestamp(),
                         now.timestamp() + self.request_ttl, purpose, view=secrets.token_urlsafe(24), flow=flow,
                         redirect_uri=redirect_uri, inspector=inspector,
                         care_date=care.isoformat() if care is not None else None)
        self._sweep(now.timestamp())
        self.end_grace(viewer)
        self.store.add(tx)
        return tx

    def within_registration(self, query: Mapping[str, Any], now: datetime) -> tuple[
            dict[str, Any], tuple[tuple[str, str], ...]]:
        """``query`` without the optional claims this verifier's registration does not allow, and those
        (:func:`credentials.dcql.within_registration`): a wallet refuses a request asking for any claim
        beyond it (an inspectorate registered before a release's query asked for more, review R6
        finding 1). Its registration is that of its access certificate on the verifiers list, as a
        wallet finds it; when the list cannot be had, or does not list it, the query is sent as it is
        (the wallet judges it, as before)."""
        if self.verifiers is None:
            return dict(query), ()
        try:
            entity = trust_list.authorised_verifier(self.verifiers(now), self.access_x5c, {}, at=now)
        except CredentialError:
            return dict(query), ()

        def allowed(vct: str) -> tuple[str, ...] | None:
            names = trust_list.allowed_claims(entity, vct)
            return None if names is None else tuple(name for name in names if self._settled(vct, name, names, now))

        return dcql.within_registration(query, allowed)

    def _settled(self, vct: str, name: str, names: Collection[str], now: datetime) -> bool:
        """Whether a claim the registration allows may be asked already: a claim widened into it while
        this process ran only once wallets holding the list from before can have fetched it again
        (:data:`trust_registry.client.REVALIDATE_AFTER`, the list's max-age): until then they refuse a
        request asking for it, as they would a claim the list did not allow. The claims found the first
        time a type is looked at are taken as long settled (a restart must not hold back the portrait)."""
        seen = self._claims_seen
        if not any(key[0] == vct for key in seen):
            for each in names:
                seen.setdefault((vct, each), datetime.min.replace(tzinfo=UTC))
        first = seen.setdefault((vct, name), now)
        return (now - first).total_seconds() >= REVALIDATE_AFTER

    def renew(self, view: str, *, viewer: str | None = None) -> Transaction:
        """More time for a check of the pages (WCAG 2.2.1 Timing Adjustable, "extend").

        Before its code ends, the same request gets ``request_ttl`` seconds from now: its code stays
        answerable, as a worker who scanned it may be reading the consent screen (a new code would
        void their answer, review R7), and its Request Object is signed again with the new ``exp``
        (OpenID4VP §5, RFC 9101), so that a wallet fetching it later takes the new time limit; the
        same transaction is returned, still pending. At most :data:`RENEWALS` times' worth: one code
        never answers beyond ``RENEWALS + 1`` times ``request_ttl`` from when it was made. After the
        code ended, or past that cap: a new request with the same query, flow, response mode and day of
        care as ``view``'s; the old one is closed first, so that no answer to it is taken unseen. If the
        wallet's answer was taken first, ``view``'s own transaction is returned, and its verdict is what
        the page shows."""
        tx = self.inspection(view)
        if tx.kind != "online" or tx.redirect_uri is not None:
            raise ProtocolError("invalid_request", "only a check started on these pages gets a new code")
        now = self.clock().timestamp()
        expires = now + self.request_ttl
        if tx.status == "pending" and now <= tx.expires and expires <= tx.created + (RENEWALS + 1) * self.request_ttl:
            payload = {**decode_jws(tx.request_object).payload, "exp": int(expires)}
            token = openid4vp.sign_request(payload, key=self.access_key, x5c=self.access_x5c)
            if self.store.extend(tx.id, now, expires, token):
                # The handle is stored hashed only: the caller's is the transaction's.
                return dataclasses.replace(tx, expires=expires, request_object=token, view=view)
        if not self.store.close(tx.id):
            return dataclasses.replace(self.inspection(view), view=view)
        return self.create_request(query=tx.query, response_mode=tx.response_mode, flow=tx.flow,
                                   inspector=tx.inspector, viewer=viewer, care_date=tx.care_date)

    def _purpose(self, inspection: str) -> tuple[str, dict[str, str]]:
        """Why this check asks, for the wallet: the text to send as ``purpose`` and its translations
        (``purpose#<tag>``). The deployment's own for the profile (:attr:`purposes`: one text for
        every language, or the languages it gives, English or else the first as ``purpose``), else
        ours in every language of the pages (``verifier.purpose.<profile>``). ``inspection``: a
        profile, or the check a query of the API's own is (:func:`query_check`), ``other`` included."""
        own = self.purposes.get(inspection)
        if own:
            if "" in own:
                return own[""], {}
            first = "en" if "en" in own else next(iter(own))
            return own[first], {tag: text for tag, text in own.items() if tag != first}
        purpose, *others = (messages.translator(lang)(f"purpose.{inspection}") for lang in i18n.LANGUAGES)
        return purpose, dict(zip(i18n.LANGUAGES[1:], others, strict=True))

    def link(self, tx: Transaction) -> str:
        return openid4vp.request_link(tx.client_id, f"{self.base_url}/requests/{tx.id}",
                                      request_uri_method=self.request_uri_method)

    def sweep(self) -> None:
        """Erase now what the retention time no longer allows (the app runs this periodically), and
        delete inspection records older than ``records_days``, in batches (only here, never on a
        request's path).

        Then, if anything was erased since the last round (here, or on a request's path: a verdict
        shown, a grace ended), empty the database's write-ahead log, which still holds it
        (:meth:`TransactionStore.release_erased`, GDPR Art. 5(1)(e), 17): once per round for every
        erasure since the last, never per verdict, and only here, in the sweep's own thread (a reader
        may keep the checkpoint waiting). One the log could not be emptied of is tried again next round."""
        now = self.clock().timestamp()
        self._sweep(now)
        if self.records.sweep(now, days=self.records_days):
            self.store.erased()  # an inspection record names its inspector
        self.store.release_erased()

    def _sweep(self, ts: float) -> None:
        # A transaction outlives its request by the retention time (at least ten minutes), so that
        # the inspector's page can still show the verdict, or say that its personal data is gone.
        self.store.sweep(ts, retention=self.retention, keep=max(self.retention, self.result_grace, 600),
                         grace=self.result_grace)

    def end_grace(self, viewer: str | None) -> None:
        """The browser session ``viewer`` starts another check: its grace over the verdicts it was
        shown ends. With no retention their persons are erased now, not at the end of the grace;
        with one, they are kept until it is up (as for anyone holding the handle), never less."""
        if viewer:
            self.store.end_grace(viewer_hash(viewer), self.clock().timestamp(), retention=self.retention)

    def get(self, tx_id: str) -> Transaction:
        """A transaction by its public id (request_uri, response_uri)."""
        return self._found(self.store.get, tx_id)

    def inspection(self, view: str) -> Transaction:
        """A transaction by the inspector's handle: the only way to its verdict, never its public id,
        which anyone who sees the QR code learns."""
        return self._found(self.store.by_view, view)

    @staticmethod
    def _found(lookup: Callable[[str], Transaction | None], key: str) -> Transaction:
        try:
            tx = lookup(key)
        except UnreadableTransaction:
            tx = None
        if tx is None:
            raise ProtocolError("not_found", "unknown or expired request", http_status=404)
        return tx

    def check_request_uri_post(self) -> None:
        """A POST to the request_uri is answered only when this verifier's links say
        ``request_uri_method=post`` (§5.10); otherwise 405, and nothing is read or signed."""
        if self.request_uri_method != "post":
            raise ProtocolError("invalid_request", "this verifier gives its Request Objects by GET "
                                "(request_uri_method get): method post not allowed", http_status=405,
                                headers={"Allow": "GET"})

    def request_object(self, tx_id: str, wallet_form: Mapping[str, str] | None = None) -> str:
        """The signed Request Object at the request_uri: as made (GET, RFC 9101), or for a wallet's
        POST (§5.10.1, only with ``request_uri_method`` ``post``) signed again with the
        ``wallet_nonce`` it sent, so that the wallet can tell this answer from a recorded one.

        At most :attr:`max_request_posts` such signatures per transaction, counted in its row
        (every replica shares the count) before signing, so a signature that fails counts too:
        the cap bounds the access key's work. Then 429: waiting does not help, the inspector
        starts a new check (anyone who sees the QR code could end this one by answering it anyway)."""
        if wallet_form is not None:
            self.check_request_uri_post()
        tx = self.get(tx_id)
        wallet_nonce = openid4vp.parse_request_uri_post(wallet_form) if wallet_form is not None else None
        now = self.clock().timestamp()
        if tx.status != "pending" or now > tx.expires:
            raise ProtocolError("invalid_request", "this request has expired or was already answered", http_status=410)
        if wallet_nonce is None:
            return tx.request_object
        if not self.store.count_request_post(tx.id, now, limit=self.max_request_posts):
            now_tx = self.store.get(tx.id)
            if now_tx is None or now_tx.status != "pending" or now > now_tx.expires:  # a race with the answer
                raise ProtocolError("invalid_request", "this request has expired or was already answered",
                                    http_status=410)
            raise ProtocolError("invalid_request", f"the Request Object of this request was already signed for "
                                f"{self.max_request_posts} wallet_nonce values, which is the limit: ask the inspector "
                                "for a new check", http_status=429)
        payload = openid4vp.with_wallet_nonce(decode_jws(tx.request_object).payload, wallet_nonce)
        return openid4vp.sign_request(payload, key=self.access_key, x5c=self.access_x5c)

    # --- answers ---------------------------------------------------------------------------------

    def receive(self, tx_id: str, form: Mapping[str, str]) -> dict[str, Any]:
        """The response_uri (§8.2): decrypt, match state, verify; a transaction accepts one answer."""
        tx = self.get(tx_id)
        if tx.status == "expired":
            raise ProtocolError("invalid_request", "this request has expired")
        if tx.status != "pending":
            raise ProtocolError("invalid_request", "this request was already answered")
        params = openid4vp.parse_response(form, response_mode=tx.response_mode, decryption_key=tx.encryption_key)
        if params.state != tx.state:
            raise ProtocolError("invalid_request", "the answer is for another request (state)")
        # The time of the claim, not of the answer's arrival: decrypting it took a moment, in which a
        # poll may have found the request expired (result); the answer is then refused, never kept unseen.
        now = self.clock()
        if not self.store.claim(tx.id, now.timestamp()):
            if now.timestamp() > tx.expires or (self.store.get(tx.id) or tx).status == "expired":
                raise ProtocolError("invalid_request", "this request has expired")
            raise ProtocolError("invalid_request", "this request was already answered")
        # Same device: the answer's redirect carries a fresh code that only the initiating browser can
        # turn into the verdict (session binding, OpenID4VP §13.3).
        code = secrets.token_urlsafe(32) if tx.flow == "same_device" else None
        try:
            if params.error is not None:
                # §8.5: access_denied is the worker's no (or a wallet holding none of what was asked,
                # which it answers the same way); any other error is the wallet failing to answer,
                # which says nothing about the documents: "cannot be confirmed", never "declined".
                refused = params.error == "access_denied"
                outcome, reason_key = ("refused", "refused") if refused else (verification.UNDETERMINED,
                                                                                "wallet_error")
                verdict = {"verdict": outcome, "reason": _refusal(params.error), "steps": [], "credentials": [],
                           "reason_key": reason_key}
                if not refused:
                    verdict["wallet_error"] = params.error  # an RFC 6749 code (openid4vp.ERROR_CODE), for the page
                # The inspectorate keeps a signed account of it too (the worker's choice or the wallet's
                # failure, no data).
                # A check for a day of care says so even when nothing was shown (records.InspectionEntry.care_date).
                account = self.proof(verification.Verdict(
                    outcome, "", [], [], None, now,
                    care_date=date.fromisoformat(tx.care_date) if tx.care_date else None), now)
                self.store.finish(tx.id, status="error", verdict=verdict, person=None, proof=None,
                                  wallet_error=params.error, response_code=code,
                                  record=self._record(account, now, tx, reason_key))
            else:
                assert params.vp_token is not None
                result = self.verify(params.vp_token, query=tx.query, nonce=tx.nonce, audience=tx.client_id,
                                     now=now, session_transcript=self.session_transcript(tx),
                                     care_date=date.fromisoformat(tx.care_date) if tx.care_date else None)
                shown, person = _display(result)
                proof = self.proof(result, now)
                self.store.finish(tx.id, status="done", verdict=shown, person=person, proof=proof,
                                  response_code=code, record=self._record(proof, now, tx, result.reason_key, result))
        except BaseException:
            self.store.release(tx.id)  # the check did not finish: the wallet may try again
            raise
        if code is None:
            return {}
        if tx.redirect_uri is not None:  # the integrator's page reads the code from the fragment
            return {"redirect_uri": f"{tx.redirect_uri}#response_code={code}"}
        return {"redirect_uri": f"{self.base_url}/inspect/done/{tx.id}?response_code={code}"}

    @staticmethod
    def _record(proof: str, now: datetime, tx: Transaction, reason_key: str,
                verdict: verification.Verdict | None = None) -> records.InspectionEntry:
        """The inspection record of ``tx``'s verdict, from its proof (:mod:`verifier.records`), with each
        document's status list reference from ``verdict``, to look it up again later."""
        kind = "offline" if tx.kind == "offline" else "online"
        return records.entry_from_proof(proof, checked_at=now.timestamp(), kind=kind,
                                        flow=tx.flow if kind == "online" else None, inspector=tx.inspector,
                                        reason_key=reason_key, status_refs=_status_refs(verdict))

    def verify_recorded(self, vp_token: Mapping[str, Any], *, query: Mapping[str, Any], nonce: str, audience: str,
                        inspector: str | None) -> tuple[verification.Verdict, str]:
        """``POST /verify``: the verdict and its signed proof, given only once its inspection record
        is written (a check with no transaction: the record is its only trace)."""
        now = self.clock()
        verdict = self.verify(vp_token, query=query, nonce=nonce, audience=audience, now=now)
        proof = self.proof(verdict, now)
        self.records.add(records.entry_from_proof(proof, checked_at=now.timestamp(), kind="api", flow=None,
                                                  inspector=inspector, reason_key=verdict.reason_key,
                                                  status_refs=_status_refs(verdict)))
        return verdict, proof

    def _check_redirect(self, redirect_uri: str, flow: str) -> None:
        from urllib.parse import urlsplit

        if flow != "same_device":
            raise ProtocolError("invalid_request", "redirect_uri is for same_device requests")
        try:
            parts = urlsplit(redirect_uri)
        except ValueError as exc:
            raise ProtocolError("invalid_request", "redirect_uri is not a URL") from exc
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.fragment or parts.scheme not in ("https", "http") or origin not in self.redirect_origins:
            raise ProtocolError("invalid_request", "redirect_uri is not on an origin this verifier may send "
                                "browsers to (ESSPASS_VERIFIER_REDIRECT_ORIGINS)")

    def redeem(self, tx_id: str, response_code: str, view: str | None) -> str:
        """The wallet's redirect came back (same device): the browser must be the one that asked
        (``view`` from its cookie) and bring this answer's code; returns the handle to the verdict."""
        if not view or not self.store.redeem(tx_id, response_code, view, self.clock().timestamp()):
            raise ProtocolError("access_denied", "this answer does not belong to a check started in this browser",
                                http_status=403)
        return view

    def session_transcript(self, tx: Transaction) -> bytes:
        """What an mdoc answer to ``tx`` must be device-signed over (OpenID4VP App. B.2.6.1): this
        request's client_id, nonce, response_uri and the thumbprint of its encryption key."""
        thumbprint = b64url_decode(tx.encryption_key.thumbprint()) if tx.encryption_key is not None else None
        return mdoc.openid4vp_session_transcript(client_id=tx.client_id, nonce=tx.nonce, jwk_thumbprint=thumbprint,
                                                 response_uri=f"{self.base_url}/responses/{tx.id}")

    def verify(self, vp_token: Mapping[str, Any], *, query: Mapping[str, Any], nonce: str, audience: str,
               now: datetime | None = None, session_transcript: bytes | None = None,
               care_date: date | None = None) -> verification.Verdict:
        # A query for a format the pipeline cannot verify (or waiving holder binding) is the
        # caller's error, never a verdict, nor a server error (OpenID4VP §6, §8.6).
        dcql.check_verifiable(query, formats=(*dcql.SD_JWT_FORMATS, dcql.MDOC_FORMAT))
        now = (now or self.clock()).astimezone(self.zone)

        def judged(issuers: trust_list.TrustList | None, age: float | None,
                   max_age: float | None) -> verification.Verdict:
            return verification.verify_response(
                vp_token, query=query, nonce=nonce, audience=audience, issuers=issuers, trust_list_age=age,
                now=now, status_lookup=self.status_lookup, chains=self.chains, session_transcript=session_transcript,
                pid_number_states=self.pid_number_states, trust_list_max_age=max_age,
                home_state=self._home_state(now), care_date=care_date)

        return self._judged(judged, now)

    def _judged(self, judge: Callable[[trust_list.TrustList | None, float | None, float | None],
                                      verification.Verdict], now: datetime) -> verification.Verdict:
        """``judge``'s verdict with the issuers list held (:meth:`_trust_list`); judged again with the list
        fetched anew when that one does not place a document's issuer and may predate a change
        (:attr:`revalidate_issuers`)."""
        issuers, age, max_age = self._trust_list(now)
        verdict = judge(issuers, age, max_age)
        if self.revalidate_issuers is not None and issuers is not None and _unauthorised_issuer(verdict):
            fresh = self.revalidate_issuers(now)
            if fresh is not None and (fresh.sequence, fresh.issued_at) != (issuers.sequence, issuers.issued_at):
                verdict = judge(*self._trust_list(now))
        return verdict

    def _home_state(self, now: datetime) -> str | None:
        """:attr:`home_state` at ``now``; None (no notice) when it cannot be told."""
        try:
            return self.home_state(now)
        except CredentialError:
            return None

    def _trust_list(self, now: datetime) -> tuple[trust_list.TrustList | None, float | None, float | None]:
        """The issuers list a check uses, its age, and the maximum age when the list held is past it.

        No usable list is no list (the verdict is undetermined, ARCHITECTURE.md "trust_list": fails
        closed), but "the device was never prepared" (no age) is told apart from "the list held is
        older than the verifier's ``trust_list_max_age``" (its age and that maximum, as
        :class:`trust_registry.client.TrustListClient` says them: :func:`_held_too_old`), which the
        verdict says with the numbers, so that the inspector knows to get the lists again."""
        try:
            issuers, age = self.issuers(now)
        except CredentialError as exc:
            held = _held_too_old(exc)
            return (None, *held) if held is not None else (None, None, None)
        return issuers, age, None

    # --- getting ready for no network -----------------------------------------------------------

    def prepare_offline(self) -> dict[str, int]:
        """Fetch the issuers list, then every status list of the institutions it names a Status List
        Aggregation for, and of those this verifier has seen (draft-ietf-oauth-status-list §9),
        while there is network, for checks without it."""
        if not isinstance(self.status_lookup, Prefetching):
            raise ProtocolError("invalid_request", "this verifier keeps no status lists to prepare")
        now = self.clock()
        try:
            # Fetched now, not the list held (up to REVALIDATE_AFTER old): a key revoked, an institution
            # suspended or a role removed minutes ago must be in what the site works from for days.
            issuers = (self.refresh_issuers(now) if self.refresh_issuers is not None
                       else self.issuers(now)[0])
        except CredentialError:
            issuers = None
        if issuers is None:
            raise ProtocolError("temporarily_unavailable", "no trust list is available", http_status=503)
        self._home_state(now)  # this verifier's state, from the verifiers list while it can be had
        fetched = dataclasses.asdict(self.status_lookup.prefetch(issuers, now))
        # The records of checks made from lists that could not know yet learn of withdrawals since.
        return {**fetched, "documents_withdrawn_since": self.recheck_records(issuers, now), **self.readiness(now)}

    def recheck_records(self, issuers: trust_list.TrustList, now: datetime) -> int:
        """Look every recorded document up again in the status lists now held, and mark those withdrawn
        since their check (:func:`recheck_records`); how many were marked."""
        lookup = self.status_lookup
        return recheck_records(self.records, lookup, issuers, now) if isinstance(lookup, Holding) else 0

    def readiness(self, now: datetime | None = None) -> dict[str, Any]:
        """What this verifier holds for checks without network and until when each list lets it decide
        (:func:`readiness`): read from what is held, fetching no status list."""
        now = now or self.clock()
        issuers, age, too_old = self._trust_list(now)
        held: list[HeldList] = []
        if issuers is not None and isinstance(self.status_lookup, Holding):
            held = self.status_lookup.held(issuers)
        limit = too_old if too_old is not None else self.trust_list_max_age
        issued = None if age is None else now.timestamp() - age
        until = None if issued is None or limit is None else issued + limit
        return readiness(held, issuers, trust_until=until, trust_issued=issued, zone=self.zone)

    # --- offline QR (issue #7) -------------------------------------------------------------------

    def new_challenge(self) -> str:
        """A short code the inspector shows first; the wallet signs over it (single use, 5 minutes)."""
        import base64

        code = base64.b32encode(secrets.token_bytes(5)).decode("ascii")
        now = self.clock().timestamp()
        self._sweep(now)
        self.store.add_challenge(code, now + self.request_ttl)
        return code

    def verify_offline(self, qr_text: str, *, challenge: str | None = None, inspector: str | None = None,
                       viewer: str | None = None, shown: bool = False,
                       care_date: str | None = None) -> dict[str, Any]:
        """Verify a scanned offline QR from the cached lists; a transaction holds the verdict for the page,
        written with its inspection record (``inspector``: who scanned it; ``viewer``: the browser
        session, whose earlier verdicts' grace ends, :meth:`end_grace`).

        ``shown``: the caller gets the verdict with the person in this answer (the API), so it is shown
        now: the retention clock starts, and with no retention the person is not kept at all. Else the
        verdict screen shows it (:meth:`result`), and if it never does, the sweep erases the person
        as if shown shortly after (:data:`verifier.transactions.OFFLINE_UNSHOWN_SECONDS`).
        ``care_date``: an EHIC's day of care (:func:`care_date_of`); an A1's code is checked for today."""
        from credentials.compact import PREFIX

        if not qr_text.startswith(PREFIX):
            raise ProtocolError("invalid_request", "this is not an ESSPASS offline QR code")
        now = self.clock()
        # What can be refused is refused before the code is taken: the page offers it again.
        care = care_date_of(care_date, now.astimezone(self.zone).date())
        code: bytes | None = None
        if challenge:
            code = challenge.strip().upper().encode()
            if not self.store.take_challenge(code.decode(), now.timestamp()):
                raise ProtocolError("invalid_request", "this challenge is unknown, used or expired")

        def judged(issuers: trust_list.TrustList | None, age: float | None,
                   max_age: float | None) -> verification.Verdict:
            return verification.verify_offline(qr_text, issuers=issuers, trust_list_age=age,
                                               now=now.astimezone(self.zone), status_lookup=self.status_lookup,
                                               challenge=code, trust_list_max_age=max_age,
                                               home_state=self._home_state(now), care_date=care)

        verdict = self._judged(judged, now)
        display, person = _display(verdict)
        display["offline"] = True
        proof = self.proof(verdict, now)
        tx = Transaction(secrets.token_urlsafe(18), "offline", "", "", "", {}, "offline", "", None, now.timestamp(),
                         now.timestamp() + self.request_ttl, "offline inspection", status="done", verdict=display,
                         person=None if shown and self.retention <= 0 else person, proof=proof,
                         view=secrets.token_urlsafe(24), inspector=inspector,
                         shown_at=now.timestamp() if shown else None)
        self._sweep(now.timestamp())
        self.end_grace(viewer)
        self.store.add(tx, record=self._record(proof, now, tx, verdict.reason_key, verdict))
        return {"transaction_id": tx.view, **display, "person": person}

    def result(self, view: str, *, consume: bool = False, response_code: str | None = None,
               viewer: str | None = None) -> dict[str, Any]:
        """Poll result; ``consume`` (the verdict screen) starts the retention clock for personal data.

        ``status`` is ``pending`` while the wallet may still answer (or its answer is being checked),
        ``done`` or ``error`` (the wallet's error, or the worker's refusal) with the verdict, and
        ``expired`` once the request's time (``request_ttl``) is up with no answer: its QR code or
        link can no longer be answered, and only a new check can go on. (Ten minutes later the
        inspection is deleted, and asking for it is 404.)

        With no retention (the default) the person is erased from the database as the screen shows it,
        except that the browser session that showed it (``viewer``: the inspector's sign-in session,
        as the verdict page passes it) sees the same result again for ``result_grace`` seconds
        (:meth:`_person_now`), until it starts another check (:meth:`end_grace`).
        A same-device answer is given only with the ``response_code`` the wallet's redirect brought
        (or after our own page took it, :meth:`redeem`)."""
        tx = self.inspection(view)
        if tx.flow == "same_device" and not tx.redeemed and response_code:
            self.redeem(tx.id, response_code, view)
            tx = self.inspection(view)
        if tx.status == "expired" or (tx.status == "pending" and self.clock().timestamp() > tx.expires):
            # Expired only once the database says no answer can be taken any more (TransactionStore.expire,
            # against claim): an answer claimed in time, still being read, keeps the page waiting for it.
            if self.store.expire(tx.id, self.clock().timestamp()):
                return {"status": "expired"}
            tx = self.inspection(view)
        if tx.flow == "same_device" and not tx.redeemed:
            # Not even the one who made the request sees the answer before the wallet's redirect
            # has come back to the browser that made it: else a request link sent to someone else
            # would hand over their data (session fixation).
            return {"status": "pending"}
        out: dict[str, Any] = {"status": "pending" if tx.status == "verifying" else tx.status}
        verdict = tx.verdict
        if verdict is not None:
            now = self.clock().timestamp()
            seen_by = viewer_hash(viewer) if viewer and self.result_grace > 0 else None
            person = tx.person
            if consume and tx.shown_at is None:
                if self.store.shown(tx.id, now, seen_by):
                    # The first showing carries the person. With no retention the database keeps it
                    # only for the grace of the browser session it was shown to: none for an API read.
                    if self.retention <= 0 and seen_by is None and tx.person is not None:
                        self.store.erase_person(tx.id)
                else:  # another reader showed it a moment ago: this read is a later one
                    tx = self.inspection(view)
                    person = self._person_now(tx, now, seen_by)
            else:
                person = self._person_now(tx, now, seen_by)
            out["verdict"] = dict(verdict)
            if person is not None:
                out["verdict"]["person"] = person
            elif (tx.shown_at is not None or consume) and tx.status == "done":
                out["verdict"]["personal_data_removed"] = True
            if tx.proof:
                out["proof_url"] = f"/api/requests/{view}/proof"
                # The proof's id (its jti, the inspection record's id): what a printed verdict cites.
                jti = decode_jws(tx.proof).payload.get("jti")
                if isinstance(jti, str):
                    out["proof_id"] = jti
        return out

    def _person_now(self, tx: Transaction, now: float, seen_by: str | None) -> dict[str, Any] | None:
        """The person of ``tx``'s verdict for a read at ``now`` by the browser session hashed as
        ``seen_by`` (None: an API client, or no sign-in session), erased from the database once no
        one may see it any more.

        Before the verdict is shown, it is there (the status poll reads it, and passes on only the
        status). Once shown, anyone with the handle sees it for ``retention`` seconds, and the browser
        session it was first shown to for ``result_grace`` seconds too, so that a language switch or
        a reload of the verdict screen shows the same result. With no retention, no other read ever
        carries it, whatever this replica's clock says against the one that showed it."""
        if tx.shown_at is None:
            return tx.person
        kept_for = max(self.retention, self.result_grace if tx.shown_to is not None else 0)
        age = now - tx.shown_at
        if tx.person is not None and (kept_for <= 0 or age >= kept_for):
            self.store.erase_person(tx.id)
            return None
        if seen_by is not None and seen_by == tx.shown_to:
            return tx.person
        return tx.person if self.retention > 0 and age < self.retention else None

    # --- verification proof (domain.md "Verification proof") ---------------------------------------

    def proof(self, verdict: verification.Verdict, now: datetime) -> str:
        """A JWT signed by the verifier recording the check, with no name, birth date, PIN or address.

        ``document_ref`` is the document number HMAC'd with the deployment's own key (the same in
        every worker and replica, and after restarts): the inspectorate can later tell whether it
        checked a given document; whoever else holds the proof cannot recover the number.

        ``care_date``: the day an EHIC check was made for (:func:`care_date_of`), when not today: the
        verdict holds for that day only (a provisional replacement certificate whose period has ended is
        "valid on <date>, the date of care"), so the proof of what was checked (rulebook §4) names it,
        and so does its record (:func:`verifier.records.entry_from_proof`). Not the patient's data: a day."""
        docs = []
        for cred in verdict.credentials:
            number = cred.claims.get("document_number")
            ref = records.document_ref(self._proof_secret, str(number)) if number else None
            docs.append({"credential_type": cred.vct, "issuer_id": cred.issuer_id, "document_ref": ref,
                         "verdict": cred.verdict, "status_list_age_seconds": cred.status_age,
                         "status_source": cred.status_source,
                         "checks": {s.code: s.result for s in cred.steps}})
        payload = {"iss": self.entity_id, "iat": int(now.timestamp()), "jti": secrets.token_hex(16),
                   "verdict": verdict.verdict, "policy_version": self.policy_version,
                   "trust_list_age_seconds": verdict.trust_list_age,
                   "checks": {s.code: s.result for s in verdict.steps},
                   "credentials": docs,
                   **({"care_date": verdict.care_date.isoformat()} if verdict.care_date is not None else {})}
        return sign_jws({"typ": "verification-proof+jwt", "x5c": x5c_header(self.access_x5c)}, payload,
                        self.access_key)


def _status_refs(verdict: verification.Verdict | None) -> list[status_list.StatusReference | None]:
    """Each checked document's status list reference, in the proof's order (:meth:`VerifierService.proof`)."""
    return [] if verdict is None else [cred.status_ref for cred in verdict.credentials]


def entity_state(entity_id: str) -> str | None:
    """The state an institution id names (``LV:VDI`` -> ``LV``; EESSI ids begin with it), or None."""
    code = entity_id.partition(":")[0].strip().upper()
    return code if ":" in entity_id and countries.is_supported(code) else None


def _held_too_old(exc: CredentialError) -> tuple[float, float] | None:
    """(age, maximum age) in seconds when ``exc`` says the issuers list held is past its maximum age
    (:class:`trust_registry.client.TrustListTooOld`, or carried by a ``TrustListUnavailable``); None
    for any other reason there is no list (none held: a device never prepared)."""
    too_old = exc.too_old if isinstance(exc, TrustListUnavailable) else exc
    return (too_old.age, too_old.max_age) if isinstance(too_old, TrustListTooOld) else None


def _refusal(error: str) -> str:
    """The English reason of a wallet's error answer (the pages translate its ``reason_key``)."""
    if error == "access_denied":
        return ("The wallet did not share the documents: the person declined, or the wallet holds none of "
                "those asked for.")
    return f"The wallet could not answer: a technical error, not the person's refusal ({error})."


def _display(verdict: verification.Verdict) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the verdict screen shows: the verdict and the reasons, and apart from them the person's
    key facts (kept apart so that they can be erased on their own).

    The name, birth date and portrait are those of the one PID of the answer; an answer with several
    (never valid: the query and the holder link refuse it) shows none of them, never a mix."""
    out = verdict.to_json(personal_data=False)
    person: dict[str, Any] = {}
    # Only what an institution competent for it vouched for (issuer_authorised passed, which sets
    # issuer_id): a name in a "PID" signed by a health insurance fund is nobody's name.
    pids = [c for c in verdict.credentials if c.issuer_id is not None and pid.is_pid_type(c.vct)]
    for cred in verdict.credentials:
        if cred.issuer_id is None:
            continue
        c = cred.claims
        if pid.is_pid_type(cred.vct):
            if len(pids) != 1:
                continue
            person.update({k: c[k] for k in ("family_name", "given_name", "birthdate") if k in c})
            picture = c.get("picture")
            # Only an image carried in the credential: a URL would make the inspector's browser call out.
            if isinstance(picture, str) and picture.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
                person["picture"] = picture
        elif cred.query_id == "offline" and cred.vct is not None:
            person.update({k: c[k] for k in ("family_name", "given_name", "birthdate") if k in c})
            doc = {k: v for k, v in c.items() if k not in ("family_name", "given_name", "birthdate")}
            if "employer_name" in doc:
                doc["employer"] = {"name": doc.pop("employer_name"), "id": doc.pop("employer_id", None)}
            if "institution_id" in doc or "institution_name" in doc:  # an EHIC's competent institution
                doc["authentic_source"] = {k: doc.pop(f"institution_{k}") for k in ("id", "name")
                                           if f"institution_{k}" in doc}
            doc.update(vct=cred.vct, issuer_name=cred.issuer_name)
            person.setdefault("documents", []).append(doc)
        elif cred.vct is not None:
            # authentic_source: the competent institution (Decision S2 field 7, the one an EHIC's care is
            # billed to), which may be another body than the signer (issuer_name; domain.md). An A1's
            # places of work (section 5) are shown as the person is, and erased with it: never recorded.
            doc = {k: c[k] for k in ("document_number", "legislation_country", "status_confirmation",
                                     "starting_date", "ending_date", "employer", "issuing_country",
                                     "date_of_expiry", "personal_administrative_number", "subject",
                                     "authentic_source", *_PDA1_PLACES, *_PDA1_BOXES, *_EHIC_HOLDER,
                                     *_EHIC_PRC) if k in c}
            doc["vct"] = cred.vct
            doc["issuer_name"] = cred.issuer_name
            person.setdefault("documents", []).append(doc)
    out["notices"] = [*out.get("notices", []), *_provisional(verdict)]
    return out, person


#: Boxes 2.4 and 2.5 of an A1 (credentials/pda1.py, the ESSPASS extension beyond DC4EU v1.1): never
#: selectively disclosable, so an SD-JWT VC shows them unasked (an A1 without them is a definitive
#: determination for the whole period); shown with the person, and erased with it.
_PDA1_BOXES = ("applies_for_duration", "determination_provisional")
#: The key of the notice that an A1's determination is provisional (:func:`_provisional`).
PROVISIONAL = "pda1.provisional"


def _provisional(verdict: verification.Verdict) -> list[dict[str, Any]]:
    """:data:`PROVISIONAL`, as a verdict's notice (:class:`credentials.verification.Notice` JSON), when an
    A1 that its competent institution vouched for (``issuer_id`` set, as the other notices ask) says
    its determination is provisional (box 2.5, 987/2009 Art. 16(2)): it may still change (it becomes
    definitive two months after the other states' institutions are informed, unless contested, Art.
    16(3)). A notice, not a failed check: the A1 binds the other states meanwhile (Art. 5(1)), and the
    verdict stays what its checks say. Kept with the verdict when the person is erased: it names no one.
    Only for an A1 whose own checks all passed: its words ("The A1 is valid meanwhile") under "NOT VALID"
    (a provisional A1 suspended, withdrawn or ended) or "CANNOT BE CONFIRMED" contradicted the verdict;
    the page still lists box 2.5 with the document."""
    if not any(cred.issuer_id is not None and cred.vct in _PROVISIONAL_TYPES and cred.verdict == verification.VALID
               and cred.claims.get("determination_provisional") is True for cred in verdict.credentials):
        return []
    return [{"key": PROVISIONAL, "params": {},
             "message": "The determination of the applicable legislation is provisional (Art. 16(2) of Regulation "
                        "(EC) No 987/2009): it may still change. It becomes definitive two months after the "
                        "institutions of the other states concerned are informed, unless one of them contests it "
                        "(Art. 16(3)). The A1 is valid meanwhile."}]


#: An A1 of ours (an mdoc's result has our vct), or of the EUDI model read as ours.
_PROVISIONAL_TYPES = frozenset({pda1.VCT, *pda1.ALIASES})
