"""The wallet's one seam to the shared core and the trust registry.

Everything protocol-deciding the wallet needs from other packages is imported here and only
here: SD-JWT VC verification and presentation (credentials.sd_jwt, credentials.sd_jwt_vc),
trust decisions (credentials.trust_list through trust_registry.client.TrustListClient), status
lists (esspass.status_client), request verification, DCQL matching and response building
(credentials.openid4vp, credentials.dcql), and the plain-words descriptions
(credentials.pda1/ehic/pid). :mod:`wallet.service` calls these functions and nothing deeper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeAlias, runtime_checkable

import cbor2
import httpx

from credentials.errors import (
    CredentialError,
    IssuerKeyError,
    IssuerTrustError,
    KeyBindingError,
    MalformedError,
    ProtocolError,
    VctError,
)
from credentials.i18n import LANGUAGES
from credentials.jose import PrivateKey, PublicKey, b64url_encode, jwk_thumbprint
from wallet.errors import CopiesDifferError, FormsDifferError, OfflineFormDiffersError
from wallet.model import in_language

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from credentials.compact import VerifiedCompact
    from wallet.model import StatusCheck, StoredCredential
    from wallet.service import WalletService
    from wallet.settings import WalletSettings

__all__ = [
    "CheckedCredential",
    "Choices",
    "ClaimPath",
    "TrustSource",
    "VerifiedRequest",
    "always_disclosed",
    "always_sent",
    "always_visible",
    "check_status",
    "choices",
    "claim_label",
    "claim_options",
    "claim_rows",
    "claim_value",
    "copies_end",
    "copies_expired",
    "deferring_issuer",
    "describe",
    "disclosures_sent",
    "document_claims",
    "document_dates",
    "document_period",
    "document_title",
    "entity_name",
    "error_form",
    "holder_named",
    "jwk_thumbprint_of",
    "match",
    "newest_status_lists",
    "other_persons",
    "path_text",
    "person_named",
    "present",
    "purpose_in",
    "purposes",
    "record_status",
    "registry_trust",
    "requested_types",
    "response_form",
    "same_document",
    "same_forms",
    "type_title",
    "usable",
    "verify_issued",
    "verify_request",
    "whose_card",
]

ClaimPath = tuple[str | int | None, ...]
_P = ParamSpec("_P")


class TrustSource(Protocol):
    """The two signed lists of the trust registry, verified against the pinned root."""

    def issuers(self, now: datetime) -> Any: ...

    def verifiers(self, now: datetime) -> Any: ...


@runtime_checkable
class Revalidating(Protocol):
    """A :class:`TrustSource` that can fetch a list (``issuers``, ``verifiers``) again when it does not
    place a document's issuer or a request's verifier
    (:meth:`trust_registry.client.TrustListClient.revalidate`): None when it is not asked again
    (young, asked moments ago, or the registry out of reach)."""

    def revalidate(self, kind: str, now: datetime) -> Any: ...


def jwk_thumbprint_of(jwk: Mapping[str, Any]) -> str:
    return jwk_thumbprint(jwk)


def path_text(path: ClaimPath) -> str:
    return ".".join("*" if p is None else str(p) for p in path)


# --- credential types -----------------------------------------------------------------------------


def _type_module(vct: str) -> Any | None:
    from credentials import ehic, pda1, pid

    for module in (pda1, ehic, pid):
        if vct == module.VCT or vct in module.ALIASES:  # a national PID type too (PID Rulebook §4.2)
            return module
    return None


def is_pid(vct: str) -> bool:
    """Whether ``vct`` is a PID's type (an mdoc PID's doctype, a national PID type too)."""
    from credentials import pid

    return _type_module(vct) is pid


def other_persons(held: Sequence[StoredCredential]) -> frozenset[str]:
    """The groups of the documents ``held`` shows to be another person's than every PID it holds: an A1
    or EHIC whose personal number differs from the PID's of its state, an EHIC whose fields 3-5 name
    someone else (:func:`credentials.holder_link.link`, MISMATCH or NAME_MISMATCH), which an inspector
    checking it with the PID would find not the worker's (an offer code passed on, a clerk's slip).
    A represented person's card (``subject``) is not; nothing is said without a PID to compare with."""
    from credentials import holder_link

    people = [readable_claims(c) for c in held if is_pid(c.vct)]
    if not people:
        return frozenset()
    other: set[str] = set()
    for cred in held:
        if is_pid(cred.vct) or cred.group in other:
            continue
        claims = document_claims(cred)
        if not any(holder_link.link(cred.vct, claims, person).holds for person in people):
            other.add(cred.group)
    return frozenset(other)


def readable_claims(cred: StoredCredential | CheckedCredential) -> Mapping[str, Any]:
    """The document's claims as its type's SD-JWT VC names them, for the worker to read: an mdoc
    PID's data elements (PID Rulebook §3.1.1: ``birth_date``, ``portrait``...) as ``birthdate``,
    ``picture``... (:func:`credentials.pid.from_mdoc`); any other document's as they are. What
    :func:`same_forms` compares, so that the forms agree as the worker reads them."""
    from credentials import pid

    if cred.format == "mso_mdoc" and _type_module(cred.vct) is pid:
        return pid.from_mdoc(cred.claims)
    return cred.claims


def document_claims(cred: StoredCredential | CheckedCredential) -> Mapping[str, Any]:
    """The document's claims under our names, for what the wallet reads of the document itself: its
    own dates (:func:`document_dates`) and its number (one card per document). :func:`readable_claims`,
    and an A1 in the EUDI reference model (its period under ``legislation``, its number as
    ``document_id``) read as ours, as a verifier reads it (:func:`credentials.eudi_pda1.to_dc4eu`);
    one that cannot be read so, as it is (nothing is then found in it)."""
    from credentials import eudi_pda1

    claims = readable_claims(cred)
    if cred.vct != eudi_pda1.VCT:
        return claims
    try:
        return eudi_pda1.to_dc4eu(claims)
    except CredentialError:
        return claims


def readable_path(cred: StoredCredential, path: ClaimPath) -> ClaimPath:
    """``path`` in the document's claims (an mdoc's without its namespace) as its type's SD-JWT VC
    names it, for its label: an mdoc PID's ``birth_date`` is ``birthdate``."""
    from credentials import pid

    if cred.format == "mso_mdoc" and _type_module(cred.vct) is pid and path and isinstance(path[0], str):
        return (*pid.sd_jwt_path(path[0]), *path[1:])
    return path


def _localised(entries: Any, lang: str, *names: str) -> str | None:
    if not isinstance(entries, list):
        return None
    best: str | None = None
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        value = next((entry[n] for n in names if isinstance(entry.get(n), str)), None)
        if value is None:
            continue
        locale = str(entry.get("locale") or entry.get("lang") or "").lower()
        if locale.startswith(lang):
            return str(value)
        if best is None or locale.startswith("en"):
            best = str(value)
    return best


def type_title(vct: str, lang: str) -> str:
    """The credential type's name in ``lang`` from its SD-JWT VC Type Metadata."""
    module = _type_module(vct)
    if module is None:
        return vct
    return _localised(module.type_metadata_document().get("display"), lang, "name", "label") or vct


def document_title(vct: str, claims: Mapping[str, Any], lang: str) -> str:
    """The name of this document in ``lang``: its type's (:func:`type_title`), but a Provisional
    Replacement Certificate is a certificate with its own period, not a card (Decision S2)."""
    from credentials import ehic

    if _type_module(vct) is ehic:
        return ehic.title(claims, lang)
    return type_title(vct, lang)


def describe(vct: str, claims: Mapping[str, Any], lang: str, *, other_person: bool = False) -> str:
    """One plain-words sentence (``pda1.describe`` ...). An EHIC of a represented person (``subject``,
    a child's card, Decision S1) is not the worker's own insurance: its sentence says nothing of "you"
    (:func:`credentials.ehic.describe`), :func:`whose_card` says whose it is. Nor is an A1 or EHIC shown
    to be ``other_person``'s (:func:`other_persons`): its sentence speaks of the person it names."""
    module = _type_module(vct)
    if module is None:
        return type_title(vct, lang)
    try:
        # A PID is never another person's (other_persons compares the documents with it).
        text = str(module.describe(claims, lang, other_person=True) if other_person else module.describe(claims, lang))
    except CredentialError:
        return type_title(vct, lang)
    # A date written with its own full stop (Latvian "01.11.2029.") at the end of the sentence.
    return text[:-1] if text.endswith("..") and not text.endswith("...") else text


def person_named(vct: str, claims: Mapping[str, Any], *, represented_only: bool = False) -> str | None:
    """Whom an EHIC insures, as its fields 3-5 name them ("Līga Bērziņa"): the represented person its
    ``subject`` names (a child's card, Decision S1), else, unless ``represented_only``, the holder its
    own ``given_name`` and ``family_name`` name; None for another document, or a card naming nobody
    (one signed before fields 3-5 were)."""
    from credentials import ehic

    if _type_module(vct) is not ehic:
        return None
    subject = claims.get("subject")
    if isinstance(subject, Mapping):
        names = (subject.get("forenames"), subject.get("familynames"))
    elif represented_only:
        return None
    else:
        names = (claims.get("given_name"), claims.get("family_name"))
    named = " ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return named or None


def holder_named(claims: Mapping[str, Any]) -> str | None:
    """Whom an A1's section 1 or an EHIC's fields 3-5 name as the holder ("Tobias Krause",
    :func:`credentials.holder_names.full_name`); None for a document naming no holder of its own."""
    from credentials import holder_names

    return holder_names.full_name(claims)


def whose_card(vct: str, claims: Mapping[str, Any], lang: str, *, represented_only: bool = False) -> str | None:
    """"Card of Līga Bērziņa" (a provisional replacement certificate: "Certificate of ..."), in ``lang``,
    for an EHIC naming whom it insures (:func:`person_named`); None otherwise."""
    from credentials import ehic
    from wallet import messages

    name = person_named(vct, claims, represented_only=represented_only)
    if name is None:
        return None
    return messages.t("card.whose_prc" if ehic.is_prc(claims) else "card.whose", lang, name=name)


def _claim_labels(vct: str, lang: str) -> dict[tuple[Any, ...], str]:
    module = _type_module(vct)
    labels: dict[tuple[Any, ...], str] = {}
    if module is None:
        return labels
    for claim in module.type_metadata_document().get("claims", []) or []:
        if isinstance(claim, Mapping) and isinstance(claim.get("path"), list):
            label = _localised(claim.get("display"), lang, "label", "name")
            if label:
                labels[tuple(claim["path"])] = label
    return labels


#: Claims some documents carry that their type metadata does not label (an A1 of DC4EU v1.1's
#: ``work_information``), labelled by the wallet: messages key ``claim.<name>``.
_WALLET_LABELS = frozenset({"work_information", "no_fixed_place_of_work"})


def _wallet_label(name: Any, lang: str) -> str | None:
    from wallet import messages

    return messages.t(f"claim.{name}", lang) if name in _WALLET_LABELS else None


def claim_label(vct: str, path: ClaimPath, lang: str) -> str:
    """A claim's name in ``lang``: its type metadata's label; else the wallet's own for a claim the
    metadata leaves out; else a part of a labelled claim as "<its label>: <part>" (``address``'s
    ``country`` as "Address: country"); the path in words only when nothing else names it."""
    labels = _claim_labels(vct, lang)
    path = tuple(path)
    if path in labels:
        return labels[path]
    names = [p for p in path if isinstance(p, str)]
    own = _wallet_label(names[-1], lang) if len(names) == 1 else None
    if own is not None:
        return own
    for cut in range(len(path) - 1, 0, -1):  # the longest labelled part it is in
        head = labels.get(path[:cut]) or (_wallet_label(path[0], lang) if cut == 1 else None)
        if head is not None:
            rest = [p for p in path[cut:] if isinstance(p, str)]
            part = " ".join(_wallet_label(p, lang) or p.replace("_", " ") for p in rest)
            return f"{head}: {part}" if part else head
    return path_text(path).replace("_", " ")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: Any, lang: str = "en", name: str = "") -> str:
    """A claim value in plain words: dates and countries written for ``lang``."""
    from credentials import countries
    from credentials.i18n import format_date

    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, Mapping) and str(value.get("type")) in _EMPLOYER_TYPE and set(value) <= _EMPLOYER_KEYS:
        # An A1 employer entry (rulebook v1.1): its type code in words, after whom it names (review R10).
        from wallet import messages

        named = [_part(k, value[k], lang) for k in ("name", "id", "country") if value.get(k) not in (None, "")]
        return ", ".join([*named, messages.t(_EMPLOYER_TYPE[str(value["type"])], lang)])
    if isinstance(value, Mapping):
        return ", ".join(_part(str(k), v, lang) for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(_text(v, lang, name) for v in value)
    if isinstance(value, str) and _DATE.match(value):
        try:
            return format_date(value, lang)
        except ValueError:
            return value
    if isinstance(value, str) and _is_country_claim(name) and countries.is_iso_code(value):
        return countries.name(value, lang)
    return str(value)


#: An A1 employer entry's ``type`` (PDA1 rulebook v1.1: 01 employment, 02 self-employment) and its members.
_EMPLOYER_TYPE = {"01": "claim.employer_type_01", "02": "claim.employer_type_02"}
_EMPLOYER_KEYS = frozenset({"type", "id", "name", "country"})
#: Claims whose value is a country code (alpha-2): shown as the country's name.
_COUNTRY_CLAIMS = frozenset({"nationality", "nationalities", "no_fixed_place_of_work"})


def _is_country_claim(name: str) -> bool:
    return name.endswith("country") or name in _COUNTRY_CLAIMS


def _part(name: str, value: Any, lang: str) -> str:
    """One member of a claim object in words: the value, named where the value alone would not say
    what it is (an A1's ``no_fixed_place_of_work``: "No fixed place of work: Germany")."""
    text = _text(value, lang, name)
    own = _wallet_label(name, lang) if name == "no_fixed_place_of_work" else None
    return f"{own}: {text}" if own is not None else text


def claim_value(claims: Mapping[str, Any], path: ClaimPath, lang: str) -> str:
    """The value at ``path`` as text (``None`` = every array element)."""
    from credentials.dcql import values_at

    values = values_at(claims, path)
    last = next((p for p in reversed(path) if isinstance(p, str)), "")
    return "; ".join(_text(v, lang, last) for v in values)


def claim_rows(vct: str, claims: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """Every top-level claim with its label (:func:`claim_label`), in the document's order."""
    skip = {"iss", "iat", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "_sd", "_sd_alg"}
    rows: list[tuple[str, str]] = []
    for name, value in claims.items():
        if name in skip:
            continue
        rows.append((claim_label(vct, (name,), lang), _text(value, lang, name)))
    return rows


def document_dates(claims: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """The document's own validity, from its claims (domain.md "Three validity layers"): the first
    day (``starting_date``, an A1's or a provisional replacement certificate's) and the last day
    (the earlier of ``ending_date`` and ``date_of_expiry``: an A1's period, an EHIC's or a PID's
    expiry), each None when the document does not say. Not the token's ``exp``, which the issuer
    sets to that last day's end anywhere on earth, a day later in UTC."""
    def day(name: str) -> date | None:
        value = claims.get(name)
        if not isinstance(value, str) or not _DATE.match(value):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None

    ends = [d for d in (day("ending_date"), day("date_of_expiry")) if d is not None]
    return day("starting_date"), min(ends) if ends else None


def document_period(claims: Mapping[str, Any], today: date) -> str:
    """``ended`` when the document's last day (:func:`document_dates`) is before ``today``,
    ``not_yet`` when its first day is after it, else ``current``."""
    first, last = document_dates(claims)
    if last is not None and last < today:
        return "ended"
    if first is not None and first > today:
        return "not_yet"
    return "current"


def copies_expired(copies: Sequence[StoredCredential], now: datetime) -> int | None:
    """When every copy of a document (each form) has passed its technical expiry at ``now``: the
    latest of those expiries (Unix seconds), else None (no copy, or one still live or without one).

    A copy's ``exp`` (an mdoc's ``validUntil``) is not the document's end (:func:`document_dates`):
    the issuer ends a copy with its signer certificate when that comes first (ISO/IEC 18013-5 keeps
    an MSO within its signer's validity; the EUDI ARF asks it of every attestation). A document whose
    copies all expired before its own last day is still valid: its holder needs a new copy, not a new
    document. None of the copies is usable meanwhile (:func:`usable`)."""
    ends = [c.exp for c in copies]
    if not ends or any(end is None for end in ends):
        return None
    latest = max(end for end in ends if end is not None)
    return latest if latest <= now.timestamp() else None


def copies_end(copies: Sequence[StoredCredential], now: datetime) -> int | None:
    """When the last live copy of a document ends (Unix seconds): the latest technical expiry of its
    copies when every one has one and some are still live at ``now``, else None. Beside the
    document's own last day (:func:`document_dates`), it tells the worker ahead of time that the
    copies end first (with the issuer's signer certificate: :func:`copies_expired`)."""
    ends = [c.exp for c in copies]
    if not ends or any(end is None for end in ends):
        return None
    latest = max(end for end in ends if end is not None)
    return latest if latest > now.timestamp() else None


# --- receive ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedCredential:
    vct: str
    claims: dict[str, Any]
    iat: int
    exp: int | None
    status: dict[str, Any] | None
    holder_jwk: dict[str, Any]
    issuer_id: str
    issuer_name: str
    format: str  # "dc+sd-jwt" | "mso_mdoc"
    #: Everything the issuer signed about the document, as read: an SD-JWT VC's payload with every
    #: Disclosure applied; an mdoc's docType, the elements of every namespace (CBOR values as
    #: decoded), validFrom, validUntil and status. What :func:`same_document` compares.
    signed: Mapping[str, Any]
    #: The claim paths an SD-JWT VC's Disclosures hide (RFC 9901 §4.2); none for an mdoc, whose
    #: elements (in ``signed``) are each shown or not on their own.
    disclosures: frozenset[ClaimPath]


def entity_name(entity: Any) -> str:
    """An institution's name as the trusted list gives it: in its own language, with the English name
    when it differs (what the cards, the consent page and a pending document show)."""
    name, name_en = str(entity.name), str(getattr(entity, "name_en", "") or "")
    return f"{name} ({name_en})" if name_en and name_en != name else name


def verify_issued(text: str, *, issuers: Any, vct: str, issuer_url: str, now: datetime) -> CheckedCredential:
    """A freshly issued SD-JWT VC, checked before it is stored.

    Signature and x5c chain against the CAs the issuers list gives for ``vct`` (never from the
    token), time validity, ``vct`` = the offered type; then the trust list must authorise the
    chain's entity to issue ``vct`` at issuance time; ``iss`` must be the issuer we talked to.
    """
    from credentials import sd_jwt_vc, trust_list

    verified = sd_jwt_vc.verify_vc(
        text, anchors=trust_list.anchors_for(issuers, vct), now=now, key_binding=None, expected_vct=[vct]
    )
    authorised = trust_list.authorised_issuer(
        issuers, verified.issuer_chain, vct, at=datetime.fromtimestamp(verified.iat, UTC), now=now
    )
    entity = authorised.entity
    if verified.iss is not None and verified.iss != issuer_url:
        raise IssuerTrustError("the document names a different issuer than the one that sent it")
    if verified.holder_jwk is None:
        raise KeyBindingError("the document is not bound to any key (no cnf.jwk)")
    status = verified.status.to_claim() if verified.status is not None else None
    return CheckedCredential(
        vct=verified.vct,
        claims=dict(verified.claims),
        iat=int(verified.iat),
        exp=int(verified.exp) if verified.exp is not None else None,
        status=status,
        holder_jwk=dict(verified.holder_jwk),
        issuer_id=str(entity.id),
        issuer_name=entity_name(entity),
        format="dc+sd-jwt",
        signed=verified.claims,
        disclosures=frozenset(verified.disclosed),
    )


def deferring_issuer(issuers: Any, issuer_url: str, vct: str, *, now: datetime) -> Any:
    """The institution on the issuers list that a deferral (OpenID4VCI §8.3 HTTP 202) from the
    credential issuer ``issuer_url`` for ``vct`` is taken to come from; IssuerTrustError when none.

    A 202 carries nothing signed: the chain that :func:`verify_issued` checks comes only with the
    document. Until then the list can vouch only for the address. An institution stands for
    ``issuer_url`` when it holds the role that issues ``vct`` with a CA on the list, is active now
    (not suspended, not withdrawn), and the list names it at that address: its ``path`` is the
    address's last path segment (the issuer serves each institution under ``/<path>``,
    :mod:`credentials.institutions`), and the Status List Aggregation endpoint it lists
    (``status_lists``) is served from the same origin (scheme, host and port). The path alone names
    no server (anyone can serve ``/pl-zus``), so an institution that lists no such endpoint vouches
    for no address: refused (fail closed). The entry is shown under the institution's listed name
    (:func:`entity_name`), never the name the server gives itself. The document itself, when it
    comes, still goes through :func:`verify_issued` (or :func:`verify_issued_mdoc`) like any other.
    """
    from urllib.parse import urlsplit

    from credentials import trust_list

    anchors = trust_list.anchors_for(issuers, vct)  # IssuerTrustError for a type no institution issues
    address = urlsplit(issuer_url)
    segment = address.path.rstrip("/").rsplit("/", 1)[-1]
    for entity in issuers.entities:
        if not any(a in anchors for a in entity.anchors()) or entity.status_at(now) != trust_list.ACTIVE:
            continue
        if not segment or entity.path != segment:
            continue
        listed = urlsplit(entity.status_lists or "")
        if not listed.netloc or (listed.scheme, listed.netloc.lower()) != (address.scheme, address.netloc.lower()):
            continue  # the list gives it no address, or another one
        return entity
    raise IssuerTrustError("the institution that deferred this document is not on the trusted list for it at "
                           "this address")


def verify_issued_mdoc(text: str, *, issuers: Any, vct: str, now: datetime) -> CheckedCredential:
    """A freshly issued ISO mdoc (base64url CBOR IssuerSigned), checked like :func:`verify_issued`:
    the chain against the CAs the issuers list gives for ``vct``, the issuer signature, every element
    against its digest, validity, and the trust list's authorisation at issuance time."""
    from credentials import mdoc, trust_list
    from credentials.jose import b64url_decode, public_jwk
    from credentials.verification import mdoc_json

    verified = mdoc.verify_issuer_signed(b64url_decode(text), anchors=trust_list.anchors_for(issuers, vct), now=now)
    if mdoc.DOCTYPE_VCT.get(verified.doctype) != vct:
        raise VctError(f"the issuer sent a {verified.doctype} for a {vct}")
    entity = trust_list.authorised_issuer(issuers, verified.issuer_chain, vct, at=verified.signed, now=now).entity
    status = verified.status.to_claim() if verified.status is not None else None
    checked = CheckedCredential(
        vct=vct,
        # The elements under their own names (DCQL mso_mdoc queries name them so), their values as
        # the store's JSON holds them: a full-date (tag 1004) or tdate as ISO text, a portrait as a data: URI.
        claims=dict(mdoc_json(verified.claims.get(verified.doctype, {}))),
        iat=int(verified.signed.timestamp()),
        exp=int(verified.valid_until.timestamp()),
        status=status,
        holder_jwk=public_jwk(verified.device_key),
        issuer_id=str(entity.id),
        issuer_name=entity_name(entity),
        format="mso_mdoc",
        # Without the device key and the signing time: each copy has its own (see same_document).
        signed={"docType": verified.doctype, "nameSpaces": verified.claims, "validFrom": verified.valid_from,
                "validUntil": verified.valid_until, **({"status": status} if status is not None else {})},
        disclosures=frozenset(),
    )
    readable_claims(checked)  # a PID whose elements cannot be read as its claims is refused here, not shown later
    return checked


def same_document(copies: Sequence[CheckedCredential]) -> None:
    """Every copy of one batch carries the same document (OpenID4VCI 1.0 §8 batch issuance), or
    :class:`~wallet.errors.CopiesDifferError` naming what differs (claim names, never values).

    The wallet keeps a batch as one card and presents its least-used copy (HAIP 1.0 §4.5 one-time
    use) after the worker saw on the consent screen what one copy discloses; a copy saying more,
    less or otherwise would disclose what the worker never saw. Compared, each copy with the first:
    form, type, issuer (its trust list entity), and everything the issuer signed about the document
    (:attr:`CheckedCredential.signed`: claims with every Disclosure applied, or an mdoc's elements
    in every namespace; ``vct``/docType, ``iss``, the validity period, whether there is a status
    reference), values with their types, and which claims are Disclosures.

    What each copy has of its own is not compared:

    * salts, digests and decoys (the claims are compared after processing) and the signature;
    * the holder key (``cnf``, an mdoc's deviceKey), one per copy by construction (§8.2 proofs);
    * the status list entry (``idx`` and ``uri``): batch-issued tokens "MUST have a dedicated Status
      List entry and MAY be spread across multiple Status List Tokens" (draft-ietf-oauth-status-list
      §13.2; HAIP 1.0 §6.1: a unique, unpredictable index per credential). Only whether a copy has
      one (and the rest of its ``status``) is compared: a copy without could not be withdrawn. A
      shared entry breaks §13.2 (the copies become linkable) but says nothing other to a verifier;
    * the token's own times and identifier (``iat``, ``nbf``, ``exp``, ``jti``; an mdoc's MSO
      ``signed``, ``validFrom``, ``validUntil``): an issuer may sign one copy after the other from
      "now", or vary the expiry so that verifiers cannot link the copies by it, and none of these
      says anything about the worker. The document's own dates (``date_of_expiry``, the period of
      an A1) are claims, and compared.
    """
    for other in copies[1:]:
        _refuse_if_any(CopiesDifferError, "the copies differ in", _differences, copies[0], other)


def same_forms(forms: Sequence[CheckedCredential | StoredCredential]) -> None:
    """The forms of one document (one card: its SD-JWT VC and its ISO mdoc, OpenID4VCI 1.0 App. A)
    agree on every claim both carry, or :class:`~wallet.errors.FormsDifferError` naming where not.

    The worker sees one card, and a verifier asks for whichever form it reads (OpenID4VP 1.0 §6
    ``format``); each must receive the same data. Compared, each form with the first: the type and
    the issuer (its trust list entity), and every top-level claim both carry (the mdoc's elements of
    its doctype's namespace), whole, with :func:`_differing` (values with their types, a member
    inside a claim present in one form only differs).

    The same is what the wallet shows the worker (:func:`readable_claims`): claim names as the
    type's SD-JWT VC gives them (an mdoc PID's ``birth_date`` is ``birthdate``), element values
    as :func:`credentials.verification.mdoc_json` writes them. So a CBOR full-date (tag 1004) is
    the same as the SD-JWT VC's ``YYYY-MM-DD`` text of that day. A tdate (tag 0) is an instant,
    not a day, and never the same as one: which day it falls on depends on who reads it (the
    verifier reads its own offset's date, the PID reading its UTC date), so a form giving an
    instant where the other gives a day does not say the same. Binary data (a portrait) is the
    same only byte for byte.

    Not compared: a claim one form carries and the other does not (not a contradiction: a verifier
    asking that form for it gets nothing), the technical members (``iat``, ``exp``, ``cnf``,
    ``status`` ...; an mdoc has them in its MSO, not among its elements), and the validity and
    signing time: each form is signed on its own credential request, at its own time (§8).
    """
    for other in forms[1:]:
        _refuse_if_any(FormsDifferError, "the SD-JWT VC and ISO mdoc forms differ in", _form_differences, forms[0],
                       other)


def _form_differences(a: CheckedCredential | StoredCredential, b: CheckedCredential | StoredCredential) -> list[str]:
    found = [name for name, differs in (("type", a.vct != b.vct), ("issuer", a.issuer_id != b.issuer_id)) if differs]
    claims_a, claims_b = readable_claims(a), readable_claims(b)
    for name, value in claims_a.items():
        if name in claims_b and name not in _TECHNICAL:
            found += [path_text(path) for path in _differing(value, claims_b[name], (name,))]
    return found


#: How many differing claims a refusal names (a copy of another person's document differs everywhere).
_NAMED_DIFFERENCES = 5


def _refuse_if_any(error: type[CredentialError], what: str, differences: Callable[_P, list[str]],
                   *args: _P.args, **kwargs: _P.kwargs) -> None:
    """Raise ``error`` naming the first :data:`_NAMED_DIFFERENCES` of ``differences(*args)`` (claim
    names, never values: the message reaches the issuer's notification endpoint and the worker's screen)."""
    try:
        found = differences(*args, **kwargs)
    except RecursionError as exc:  # deeper than any document: not shown to the worker as one
        raise MalformedError("the document is nested too deeply to compare what the issuer sent of it") from exc
    if found:
        shown = ", ".join(found[:_NAMED_DIFFERENCES])
        more = len(found) - _NAMED_DIFFERENCES
        raise error(f"{what} {shown}" + (f" and {more} more" if more > 0 else ""))


#: Top-level members each copy of a batch may have of its own (:func:`same_document`): an SD-JWT
#: VC's, and an mdoc's :attr:`CheckedCredential.signed` validity (its key and signing time are left out).
_PER_COPY = frozenset({"cnf", "iat", "nbf", "exp", "jti", "validFrom", "validUntil"})


def _differences(a: CheckedCredential, b: CheckedCredential) -> list[str]:
    """What differs between two copies, in words and claim paths (an mdoc's without its namespace)."""
    found = dict.fromkeys(name for name, differs in (("format", a.format != b.format), ("type", a.vct != b.vct),
                                                     ("issuer", a.issuer_id != b.issuer_id)) if differs)
    paths = [*_differing(_document(a.signed), _document(b.signed)), *sorted(a.disclosures ^ b.disclosures,
                                                                           key=path_text)]
    for path in paths:
        if path[:1] == ("nameSpaces",) and a.format == "mso_mdoc":
            path = path[2:] or path
        found.setdefault(path_text(path))
    return list(found)


def _document(signed: Mapping[str, Any]) -> dict[str, Any]:
    """``signed`` without what each copy has of its own: :data:`_PER_COPY` and the status list entry."""
    document = {name: value for name, value in signed.items() if name not in _PER_COPY}
    status = document.get("status")
    if isinstance(status, Mapping) and isinstance(status.get("status_list"), Mapping):
        entry = {k: v for k, v in status["status_list"].items() if k not in ("idx", "uri")}
        document["status"] = {**status, "status_list": entry}
    return document


def _differing(a: Any, b: Any, path: ClaimPath = ()) -> Iterator[ClaimPath]:
    """The paths where ``a`` and ``b`` differ, types included: a JSON ``true`` is not ``1``, nor a
    CBOR ``1.0`` ``1``, though Python's ``==`` says so; a member present in one only differs."""
    if type(a) is not type(b):
        yield path
    elif isinstance(a, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            at = (*path, key if isinstance(key, str | int) else repr(key))
            if key in a and key in b:
                yield from _differing(a[key], b[key], at)
            else:
                yield at
    elif isinstance(a, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _differing(x, y, (*path, n))
    elif isinstance(a, cbor2.CBORTag) and a.tag == b.tag:
        yield from _differing(a.value, b.value, path)
    elif a != b:
        yield path


# --- status ------------------------------------------------------------------------------------------


def check_status(service: WalletService, cred: StoredCredential, *, now: datetime,
                 fetched: dict[str, Any] | None = None, timeout: float | None = None,
                 newest: Mapping[str, int] | None = None) -> StatusCheck:
    """The credential's entry in its issuer's status list, fetched now (draft-ietf-oauth-status-list §8.3).

    The list token is checked as the verifier checks it (:func:`credentials.trust_list.verify_status_list`):
    signed under a CA of the institution that issued *this* credential (``cred.issuer_id``, as the
    issuers list names it now), by a signer key that institution lists; another institution with
    the same role cannot speak for it. A list older (``iat``) than ``newest[uri]``, the newest the
    wallet has read for that URI (:func:`newest_status_lists`), is refused: a genuine list from
    before a withdrawal, replayed or from a stale mirror, says nothing about now. Any failure to get
    a usable list is ``unknown`` with the reason, never ``valid``; what to keep of it is
    :func:`record_status`'s decision. ``fetched`` ((issuer, uri) -> verified list, or the error it
    gave) lets the copies of one card, or every candidate of one request, share one download per
    list, and one wait when the list is unreachable.
    """
    from credentials import status_list
    from credentials.errors import StatusError
    from wallet.model import StatusCheck

    stamp = now.isoformat()
    if not cred.status:
        return StatusCheck("valid", stamp, "no status list")
    # A copy signed with a key the list revoked (or while the institution was suspended) is refused by every
    # verifier whatever its status list says: the worker is told, and asks for a new copy. The list is still
    # read: the document itself withdrawn, replaced or stopped since says more, and is what is kept.
    distrusted: str | None = None
    try:
        ref = status_list.StatusReference.from_claim(cred.status)
        issuers = service.trust.issuers(now)
        entity = issuers.entity(cred.issuer_id)
        if entity is None:
            raise IssuerTrustError(f"{cred.issuer_id} is no longer on the trust list")
        distrusted = _distrusted(issuers, cred, now)
        key = f"{entity.id}\x00{ref.uri}"  # a list verified for one institution says nothing for another
        verified = fetched.get(key) if fetched is not None else None
        if isinstance(verified, CredentialError):
            raise verified
        if verified is None:
            try:
                verified = _fetch_status_list(service, ref.uri, entity, now, timeout)
            except CredentialError as exc:
                if fetched is not None:  # a batch has as many copies as list entries: wait once, not per copy
                    fetched[key] = exc
                raise
            if fetched is not None:
                fetched[key] = verified
        floor = newest.get(ref.uri) if newest is not None else None
        value = status_list.status_of(verified, ref)
        # An older copy than one already read (another worker of the issuer signed it a little
        # earlier) may confirm what is known; record_status keeps a document's newer answer. Only a
        # document with nothing known yet is not called valid by it: the newer list may withdraw it.
        known = cred.last_status is not None and cred.last_status.value != "unknown"
        if floor is not None and verified.iat < floor and value == status_list.VALID and not known:
            raise StatusError("the institution's server sent an older status list than one already read")
    except CredentialError as exc:
        if distrusted is not None:
            return StatusCheck("distrusted", stamp, distrusted[:200])
        return StatusCheck("unknown", stamp, exc.message[:200])
    names = {status_list.VALID: "valid", status_list.INVALID: "invalid", status_list.SUSPENDED: "suspended",
             status_list.REPLACED: "replaced", status_list.STOPPED: "stopped"}
    # A value we do not know (§7.1: 4..255 are not ours) fails closed, as a withdrawal.
    name = names.get(value, "invalid")
    if distrusted is not None and name in ("valid", "suspended"):
        return StatusCheck("distrusted", stamp, distrusted[:200], list_iat=verified.iat)
    return StatusCheck(name, stamp, list_iat=verified.iat)


def record_status(previous: StatusCheck | None, check: StatusCheck) -> StatusCheck:
    """What the wallet keeps of ``check`` given the status recorded before it (``previous``).

    * ``unknown`` (no list could be had, draft-ietf-oauth-status-list §8.3: no statement possible)
      never replaces a known value: an unreachable issuer must not make a withdrawn or suspended
      document usable again. It is recorded only where nothing was known.
    * A value read from a list older than the one ``previous`` came from is not taken (rollback).
    * ``invalid`` is final (§7.1: withdrawn; our institutions refuse to reinstate, ``issuer.service``):
      no later list makes the document usable again, only the newest list ``iat`` moves on.
      ``replaced`` (REPLACED, 0x03: a newer document of the institution took its place) is final too,
      but may still become ``invalid`` (the replaced document withdrawn later). ``stopped`` (STOPPED,
      0x0C: the institution stopped the copies on this phone, reported lost or stolen) is final too, but
      may still become ``invalid`` or ``replaced`` (its document withdrawn or replaced later).
    * ``distrusted`` (the issuers list refuses the key the copy was signed with, :func:`check_status`) is
      final for the copy too, but may still become ``stopped``, ``replaced`` or ``invalid``.
    * Otherwise the newer answer is taken: a suspension is lifted (``suspended`` to ``valid``) by a
      list at least as new as the one that suspended.
    """
    if previous is None or previous.value == "unknown":
        return check
    if check.value == "unknown":
        return previous
    # ``distrusted`` (the trust list refuses the key this copy was signed with) is read off the issuers
    # list, not only the status list: it is not ordered by list iat (the newest one read is kept). Final for
    # the copy, below the document's own end.
    newest = max((iat for iat in (previous.list_iat, check.list_iat) if iat is not None), default=None)
    if check.value == "distrusted":
        return replace(previous, list_iat=newest) if previous.value in ("invalid", "replaced", "stopped") else replace(
            check, list_iat=newest)
    if previous.value == "distrusted" and check.value not in ("stopped", "replaced", "invalid"):
        return replace(previous, list_iat=newest)
    if previous.list_iat is not None and (check.list_iat is None or check.list_iat < previous.list_iat):
        return previous
    if previous.value == "invalid" and check.value != "invalid":
        return replace(previous, list_iat=check.list_iat)
    if previous.value == "replaced" and check.value not in ("replaced", "invalid"):
        return replace(previous, list_iat=check.list_iat)
    if previous.value == "stopped" and check.value not in ("stopped", "replaced", "invalid"):
        return replace(previous, list_iat=check.list_iat)
    return check


def newest_status_lists(held: Sequence[StoredCredential]) -> dict[str, int]:
    """Status list URI -> the newest ``iat`` of a list the wallet has read for it (its rollback mark):
    the newest over every held document in that list, so a document never checked before is not
    answered by a list older than one its neighbours were."""
    newest: dict[str, int] = {}
    for cred in held:
        reference = cred.status.get("status_list") if isinstance(cred.status, Mapping) else None
        uri = reference.get("uri") if isinstance(reference, Mapping) else None
        iat = cred.last_status.list_iat if cred.last_status is not None else None
        if isinstance(uri, str) and isinstance(iat, int):
            newest[uri] = max(newest.get(uri, iat), iat)
    return newest


def _fetch_status_list(service: WalletService, uri: str, entity: Any, now: datetime,
                       timeout: float | None = None) -> Any:
    from credentials import trust_list
    from wallet.http import check_url, send

    url = check_url(uri, "the status list address", allow_loopback_http=service.settings.allow_loopback_http)
    # ``timeout`` bounds the whole fetch, not only each network operation: the worker is waiting.
    extra: dict[str, Any] = {"timeout": timeout, "seconds": timeout} if timeout is not None else {}
    response = send(service.http, "GET", url, "Fetching the status list",
                    headers={"Accept": "application/statuslist+jwt"}, **extra)
    return trust_list.verify_status_list(response.text.strip(), uri=uri, entity=entity, now=now)


# --- present -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifiedRequest:
    """A Request Object whose signature, chain, client_id and verifier authorisation were checked."""

    client_id: str
    nonce: str
    state: str | None
    response_mode: str
    response_uri: str
    dcql_query: dict[str, Any]
    client_metadata: dict[str, Any]
    verifier_id: str
    verifier_name: str
    verifier_country: str
    purpose: str
    raw: Any = None


def present(credential: str, paths: Sequence[ClaimPath], key: PrivateKey, *, nonce: str, aud: str,
            now: datetime) -> str:
    """SD-JWT+KB with only ``paths`` disclosed (RFC 9901 §4.3; OpenID4VP App. B.3: aud = client_id)."""
    from credentials import sd_jwt

    return sd_jwt.present(credential, select=list(paths), holder_key=key, nonce=nonce, aud=aud,
                          iat=int(now.timestamp()))


def registry_trust(settings: WalletSettings, client: httpx.Client) -> TrustSource:
    """The trust registry's lists, verified against the pinned registry root (built on first use)."""
    return _RegistryTrust(settings, client)


class _RegistryTrust:
    def __init__(self, settings: WalletSettings, client: httpx.Client) -> None:
        self._settings = settings
        self._http = client
        self._client: Any = None

    def _lists(self) -> Any:
        if self._client is None:
            from credentials.x509 import load_pem_certificates
            from trust_registry.client import TrustListClient

            root_path = self._settings.registry_root_path()
            if not root_path.exists():
                raise IssuerTrustError("the trust registry's root certificate is not installed in this wallet")
            root = load_pem_certificates(root_path.read_bytes())[0]
            # Bounded in age and kept on disk: a replayed old list (from before a verifier was
            # withdrawn) is refused, and so is one older than the list this wallet already had.
            self._client = TrustListClient(self._settings.registry_url, registry_root=root, http=self._http,
                                           cache_dir=self._settings.trust_cache_path(),
                                           max_age=timedelta(seconds=self._settings.trust_list_max_age))
        return self._client

    def issuers(self, now: datetime) -> Any:
        return self._lists().issuers(now=now)

    def revalidate(self, kind: str, now: datetime) -> Any:
        return self._lists().revalidate(kind, now)

    def verifiers(self, now: datetime) -> Any:
        return self._lists().verifiers(now=now)


def verify_request(token: str, *, link_client_id: str, wallet_nonce: str | None, verifiers: Any,
                   now: datetime) -> VerifiedRequest:
    """The signed Request Object, checked, with the verifier as the verifiers list names it.

    After the request's own checks (signature, chain to a CA on the verifiers list, client_id,
    response mode, nonce ...), the list must authorise that verifier for every claim its DCQL
    query asks for (``authorised_verifier``); a verifier asking for more is refused outright.
    """
    from credentials import trust_list
    from credentials.openid4vp import RequestRejected, verify_request_object

    anchors = [cert for entity in verifiers.entities for cert in entity.anchors(now)]
    try:
        checked = verify_request_object(token, link_client_id=link_client_id, wallet_nonce=wallet_nonce,
                                        anchors=anchors, now=now)
        try:
            _check_encryption_key(checked.payload)
        except ProtocolError as exc:
            raise RequestRejected(exc.error, exc.message, payload=checked.payload, chain=checked.chain) from exc
    except RequestRejected as exc:
        # Its error may be sent to the request's response_uri (OpenID4VP §8.5) only for a verifier
        # the list names as active now: a suspended or withdrawn one is told nothing, wherever it asks.
        trust_list.authorised_verifier(verifiers, exc.chain, {}, at=now)
        try:
            _check_encryption_key(exc.payload)
        except ProtocolError:
            # §8.3.1: "If a Wallet is unable to generate an encrypted response, it MAY send an error
            # response without encryption": the error goes in plain rather than not at all.
            raise RequestRejected(exc.error, exc.message, payload={**exc.payload, "response_mode": "direct_post"},
                                  chain=exc.chain) from exc
        raise
    entity = trust_list.authorised_verifier(verifiers, checked.chain, checked.requested, at=now)
    payload = checked.payload
    query = payload["dcql_query"]
    purpose = payload.get("purpose")
    metadata = payload.get("client_metadata")
    return VerifiedRequest(
        client_id=checked.client_id,
        nonce=str(payload["nonce"]),
        state=payload.get("state") if isinstance(payload.get("state"), str) else None,
        response_mode=str(payload["response_mode"]),
        response_uri=str(payload["response_uri"]),
        dcql_query=query,
        client_metadata=metadata if isinstance(metadata, dict) else {},
        verifier_id=str(entity.id),
        verifier_name=entity_name(entity),
        verifier_country=str(getattr(entity, "country", "")),
        purpose=purpose[:300] if isinstance(purpose, str) else "",
        raw=payload,
    )


def purposes(request: VerifiedRequest) -> dict[str, str]:
    """Why the verifier asks, in each language its request gives (``purpose#<lang>``, language-tagged
    as RFC 7591 §2.2 tags human-readable metadata), and under "" its untagged ``purpose``."""
    raw = request.raw if isinstance(request.raw, Mapping) else {}
    texts = {"": request.purpose}
    for lang in LANGUAGES:
        tagged = raw.get(f"purpose#{lang}")
        if isinstance(tagged, str) and tagged.strip():
            texts[lang] = tagged[:300]
    return texts


def purpose_in(request: VerifiedRequest, lang: str) -> str:
    """Why the verifier asks, in the worker's language where the request gives it (:func:`purposes`)."""
    return in_language(purposes(request), lang)


def _check_encryption_key(payload: Mapping[str, Any]) -> None:
    """For ``direct_post.jwt`` (OpenID4VP 1.0 §8.3), the verifier's key the answer is encrypted to,
    checked before the worker is asked (``invalid_request`` when it cannot encrypt anything)."""
    from credentials.openid4vp import encryption_key

    if payload.get("response_mode") == "direct_post.jwt":
        metadata = payload.get("client_metadata")
        encryption_key(metadata if isinstance(metadata, Mapping) else {})


def usable(cred: StoredCredential, now: datetime) -> bool:
    """Whether ``cred`` is good to show: not expired, and not known to be withdrawn, replaced, stopped or suspended.

    Token-level ``exp`` comes first (draft-ietf-oauth-status-list §7: an expired token with status
    VALID is expired); then the last status the wallet recorded (§8.3). ``unknown`` or never checked
    counts as usable: the verifier checks the status itself, and a wallet offline must still present.
    """
    return not _expired(cred, now) and not (
        cred.last_status is not None
        and cred.last_status.value in ("invalid", "replaced", "stopped", "suspended", "distrusted"))


def _expired(cred: StoredCredential, now: datetime) -> bool:
    return cred.exp is not None and cred.exp <= now.timestamp()


def requested_types(request: VerifiedRequest) -> frozenset[str]:
    """The credential types (``vct``; an mdoc's doctype as its vct) the request's DCQL query asks for
    (OpenID4VP 1.0 §6: ``meta.vct_values`` / ``meta.doctype_value``)."""
    from credentials.dcql import types_of
    from credentials.mdoc import DOCTYPE_VCT

    queries = request.dcql_query.get("credentials") or []
    return frozenset(DOCTYPE_VCT.get(t, t) for cq in queries if isinstance(cq, Mapping) for t in types_of(cq))


def _in_order_of_preference(held: Sequence[StoredCredential], now: datetime) -> list[StoredCredential]:
    """``held`` (in stored order, oldest first) without expired copies, the one to show first.

    1. Documents known to be withdrawn, replaced or suspended go last (:func:`usable`): they answer a
       request only when no other document does, so that the inspector learns why the document is not
       valid (the verifier checks its status) instead of receiving a refusal the worker never made.
       Before them, but after every current one, the documents whose own first day is still to come on
       the worker's calendar (:func:`document_period` ``not_yet``: the A1 of the next posting, issued
       before the current one ends), then those whose last day has passed (``ended``: an A1 or a
       provisional replacement certificate of a period over): neither is the one a request gets by
       default while a current one is held, though the worker may still choose it (:func:`choices`:
       care given within that period).
    2. Between documents the newest issuance wins: ``iat`` (the SD-JWT VC's issuance time; the mdoc's
       MSO signing time), then when the wallet stored it, then the stored order (a replacement can
       arrive within the same second). When an institution replaces a document (an A1 extended or
       corrected), the new one has the same type and issuer and the old one is withdrawn in its status
       list (draft-ietf-oauth-status-list §7: INVALID), which the wallet may not have learnt yet.
    3. Within one document the least-used copy: the copies of a batch carry the same claims, and two
       verifiers must not be able to link the worker by a repeated signature or key (OpenID4VCI 1.0
       §8 batch issuance; HAIP 1.0 §4.5 "one-time use").
    """
    live = [c for c in held if not _expired(c, now)]
    issued: dict[str, tuple[int, str, int]] = {}
    for order, cred in enumerate(live):
        mark = (cred.iat, cred.received_at, order)
        issued[cred.group] = max(issued.get(cred.group, mark), mark)
    rank = {group: n for n, group in enumerate(sorted(issued, key=issued.__getitem__, reverse=True))}
    today = now.astimezone().date()  # the worker's calendar, as the wallet's cards read it
    return sorted(live, key=lambda c: (not usable(c, now), _period_rank(c, today), rank[c.group], c.used))


def _period_rank(cred: StoredCredential, today: date) -> int:
    """0 for a current document, 1 for one whose first day is still to come, 2 for one whose last day
    has passed by ``today`` (:func:`document_period`)."""
    return _PERIOD_ORDER[document_period(document_claims(cred), today)]


_PERIOD_ORDER = {"current": 0, "not_yet": 1, "ended": 2}


#: Per query id: every document answering it (its copy to show, and the claim paths of the first option
#: it answers), the one the wallet sends by default first.
Choices: TypeAlias = dict[str, tuple[tuple["StoredCredential", tuple[ClaimPath, ...]], ...]]


def choices(request: VerifiedRequest, held: Sequence[StoredCredential], *, now: datetime) -> tuple[Choices, bool]:
    """DCQL (OpenID4VP 1.0 §6.4) against the held credentials that have not expired at ``now``: for
    each credential query the wallet answers, every document that answers it, the default first; and
    whether the request can be answered (:func:`credentials.dcql.match`).

    OpenID4VP leaves the choice among the credentials matching a query to the wallet (§6.4: the
    verifier receives any that satisfies it): the worker chooses on the consent screen (a mother's own
    EHIC or her child's, Decision S1; an A1 of one posting or of another). The default is the wallet's
    preference (:func:`_in_order_of_preference`): a usable, current document before a past one
    (withdrawn, replaced, ended), then the most recently issued, and of that document its least-used
    copy; among EHICs, then, the card of the person the request's PID names (fields 3-5 or the personal
    number, :func:`credentials.holder_link.link`), else the holder's own before a represented person's
    (``subject``: a child's card), never a past one before a current one (:func:`_holders_own_first`).

    ``held`` is in stored order. Which queries are answered (``credential_sets``, §6.4.2) does not
    depend on the choice: every document listed for a query answers that same query.
    """
    from credentials.dcql import HeldCredential, answering_options
    from credentials.dcql import match as match_dcql

    ordered = _in_order_of_preference(held, now)
    by_form: dict[str, StoredCredential] = {}  # "<group> <format>": a card's SD-JWT VC and its mdoc
    for cred in ordered:
        by_form.setdefault(f"{cred.group} {cred.format}", cred)
    # dcql.match takes, per query, the first candidate that answers it: this order is the preference.
    candidates = [HeldCredential(key, c.vct, c.claims, frozenset(), c.format,
                                 authority_key_ids=_authority_key_ids(c)) for key, c in by_form.items()]
    result = match_dcql(request.dcql_query, candidates)
    queries = {cq.get("id"): cq for cq in request.dcql_query.get("credentials") or [] if isinstance(cq, Mapping)}
    found: Choices = {}
    for qid, (key, paths) in result.selection.items():
        answering = [(by_form[c.key], options[0]) for c in candidates
                     if (options := answering_options(queries[qid], c))]
        # dcql.match's own pick leads (the same rule); the list is every other that answers too.
        first = (by_form[key], paths)
        found[qid] = (first, *(a for a in answering if a[0].group != first[0].group))
    return _holders_own_first(found, now), result.satisfiable


def _holders_own_first(found: Choices, now: datetime) -> Choices:
    """``found`` with each EHIC query's cards in the order the worker most likely wants: current ones
    (usable, not ended) first, and among them the card of the PID's person, where the request has the
    wallet send a PID too (:func:`credentials.holder_link.link`: the same personal number, or fields 3-5
    naming the PID's person), else the holder's own card (no ``subject``) before a represented
    person's; within each, the preference order kept."""
    from credentials import ehic, holder_link

    today = now.astimezone().date()
    person = next((readable_claims(c) for options in found.values() for c, _ in options[:1] if is_pid(c.vct)), None)

    def whose(cred: StoredCredential) -> int:
        claims = document_claims(cred)
        if person is not None:
            outcome = holder_link.link(ehic.VCT, claims, person).outcome
            if outcome in (holder_link.SAME_NUMBER, holder_link.SAME_NAME):
                return 0
            if outcome in (holder_link.MISMATCH, holder_link.NAME_MISMATCH, holder_link.REPRESENTED):
                return 2
        return 2 if claims.get("subject") else 1

    out: Choices = {}
    for qid, options in found.items():
        if len(options) > 1 and all(_type_module(c.vct) is ehic for c, _ in options):
            options = tuple(sorted(options, key=lambda o: (not usable(o[0], now), _period_rank(o[0], today),
                                                           whose(o[0]))))
        out[qid] = options
    return out


def match(request: VerifiedRequest, held: Sequence[StoredCredential], *, now: datetime) -> tuple[
        dict[str, tuple[StoredCredential, tuple[ClaimPath, ...]]], bool]:
    """DCQL (OpenID4VP 1.0 §6.4) against the held credentials that have not expired at ``now``: per
    query the document the wallet sends unless the worker chooses another, the first of
    :func:`choices` (its preference: a usable, current one before a past one, then the most recently
    issued, and of that document its least-used copy; among EHICs the card of the PID's person)."""
    found, satisfiable = choices(request, held, now=now)
    return {qid: options[0] for qid, options in found.items()}, satisfiable


def claim_options(request: VerifiedRequest, query_id: str, cred: StoredCredential) -> list[tuple[ClaimPath, ...]]:
    """Every ``claim_sets`` option of the request's credential query ``query_id`` that ``cred``
    answers, in the verifier's order (:func:`credentials.dcql.answering_options`): the first is
    what :func:`match` chose; a claim in it but not in every one is one the worker may leave out."""
    from credentials.dcql import HeldCredential, answering_options

    query = next((cq for cq in request.dcql_query.get("credentials") or []
                  if isinstance(cq, Mapping) and cq.get("id") == query_id), None)
    if query is None:
        return []
    held = HeldCredential(cred.group, cred.vct, cred.claims, frozenset(), cred.format,
                          authority_key_ids=_authority_key_ids(cred))
    return _never_withheld(cred, answering_options(query, held))


def _never_withheld(cred: StoredCredential, options: list[tuple[ClaimPath, ...]]) -> list[tuple[ClaimPath, ...]]:
    """``options`` less those leaving out an element of an mdoc A1 that its SD-JWT VC form never lets the
    holder withhold (outside :data:`credentials.pda1.SD_PATHS`: section 2, its boxes 2.4 and 2.5 and the
    expiry included), where another option shows it and the document carries it. Every mdoc element can
    be withheld (ISO/IEC 18013-5 §8.3.2.1.2), so the verifier asks boxes 2.4/2.5 as optional (an A1 may
    have neither); a worker unticking "determination provisional" would show a provisional A1 as
    definitive (review R3, 2), which the issuer's SD-JWT VC never allows."""
    from credentials import pda1
    from credentials.dcql import MDOC_FORMAT

    if cred.format != MDOC_FORMAT or _type_module(cred.vct) is not pda1:
        return options
    disclosable = {path[0] for path in pda1.SD_PATHS}
    shown = {path[1] for option in options for path in option if len(path) > 1}
    kept = {name for name in shown if name not in disclosable and name in cred.claims}
    return [o for o in options if kept <= {path[1] for path in o if len(path) > 1}] or options


def _authority_key_ids(cred: StoredCredential) -> frozenset[str]:
    """The AuthorityKeyIdentifiers of the credential's own chain (OpenID4VP §6.1.1.1 ``aki``, HAIP §5):
    the ``x5c`` of an SD-JWT VC's issuer JWT, the ``x5chain`` of an mdoc's issuerAuth, as verified on
    receipt. A chain that can no longer be read (the stored document was damaged) names no authority,
    so a request naming authorities does not get that document (fail closed)."""
    from credentials import dcql

    return dcql.authority_key_ids(_issuer_chain(cred))


def _issuer_chain(cred: StoredCredential) -> list[Certificate]:
    """The credential's own issuer chain, as verified on receipt: the ``x5c`` of an SD-JWT VC's issuer
    JWT, the ``x5chain`` of an mdoc's issuerAuth; [] when it can no longer be read (a damaged copy)."""
    from credentials import cose, sd_jwt
    from credentials.jose import b64url_decode
    from credentials.x509 import load_x5c, load_x5chain

    try:
        if cred.format == "mso_mdoc":
            issuer_signed = cbor2.loads(b64url_decode(cred.credential))
            auth = issuer_signed.get("issuerAuth") if isinstance(issuer_signed, dict) else None
            return load_x5chain(cose.decode_sign1(auth).x5chain)
        x5c = sd_jwt.parse(cred.credential).issuer_jws.header.get("x5c")
        return load_x5c(x5c) if isinstance(x5c, list) else []
    except (CredentialError, cbor2.CBORDecodeError, ValueError, TypeError, RecursionError):
        return []


def _distrusted(issuers: Any, cred: StoredCredential, now: datetime) -> str | None:
    """Why no verifier will accept this copy again, by the issuers list (as a verifier judges it,
    :func:`credentials.trust_list.authorised_issuer`): the key it was signed with revoked (compromised),
    or the institution suspended or withdrawn when it signed; else None (whatever else the list says is
    the verifier's to judge: an institution suspended now may be reinstated)."""
    from credentials import trust_list

    chain = _issuer_chain(cred)
    if not chain:
        return None
    try:
        trust_list.authorised_issuer(issuers, chain, cred.vct, at=datetime.fromtimestamp(cred.iat, UTC), now=now)
    except IssuerTrustError as exc:
        return exc.message if exc.reason in (trust_list.KEY_REVOKED, trust_list.INACTIVE_AT_ISSUANCE) else None
    except CredentialError:
        return None
    return None


def present_mdoc(credential: str, paths: Sequence[ClaimPath], key: PrivateKey, request: VerifiedRequest) -> str:
    """A DeviceResponse with only the elements of ``paths`` ([namespace, element]), device-signed
    over this request's OpenID4VPHandover transcript (OpenID4VP App. B.2.6.1), base64url."""
    from credentials import mdoc
    from credentials.jose import b64url_decode, b64url_encode, jwk_thumbprint
    from credentials.openid4vp import encryption_key

    # The thumbprint of the key the answer is encrypted to, not of whichever key is listed first.
    enc_key = encryption_key(request.client_metadata) if request.response_mode == "direct_post.jwt" else None
    transcript = mdoc.openid4vp_session_transcript(
        client_id=request.client_id, nonce=request.nonce, response_uri=request.response_uri,
        jwk_thumbprint=b64url_decode(jwk_thumbprint(enc_key)) if enc_key is not None else None)
    return b64url_encode(mdoc.present(b64url_decode(credential), select=[str(p[-1]) for p in paths], device_key=key,
                                      session_transcript=transcript))


def always_disclosed(credential: str, form: str = "dc+sd-jwt") -> list[str]:
    """Top-level claims the issuer made visible in every presentation (nothing under them is
    selectively disclosable), leaving out the technical ones (iss, vct, cnf, dates, status). An
    mdoc shows only the elements chosen."""
    from credentials import sd_jwt

    if form != "dc+sd-jwt":
        return []
    parsed = sd_jwt.parse(credential)
    sd_roots = {p[0] for p in sd_jwt.disclosable_paths(parsed) if p}
    return [n for n in parsed.issuer_jws.payload if n not in _TECHNICAL and n not in sd_roots]


#: Claims every SD-JWT VC carries for the verifier's checks, not about the worker: not listed for consent.
_TECHNICAL = frozenset({"iss", "iat", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "_sd", "_sd_alg"})


def always_visible(credential: str, form: str = "dc+sd-jwt") -> list[ClaimPath]:
    """What every presentation of ``credential`` shows whatever is asked, as claim paths for the
    consent screen and the worker's record: the issuer-signed payload without any Disclosure (RFC 9901
    §7.2), technical claims left out. A top-level claim with nothing selectively disclosable in it is
    one path (as :func:`always_disclosed` names it); of a claim whose parts are Disclosures, the plain
    parts that stay in the payload (``address.country`` beside a disclosable ``address.street_address``).
    An array holding Disclosures is listed whole: that may say more than leaves, never less. An mdoc
    shows only the elements chosen."""
    from credentials import sd_jwt

    if form != "dc+sd-jwt":
        return []
    bare = sd_jwt.unverified_claims(sd_jwt.present(credential, select=(), holder_key=None, nonce=None, aud=None,
                                                   iat=0))
    disclosable = sd_jwt.disclosable_paths(credential)

    def visible(value: Any, path: ClaimPath) -> list[ClaimPath]:
        inside = any(len(p) > len(path) and p[:len(path)] == path for p in disclosable)
        if not inside or not isinstance(value, Mapping):
            return [path]
        return [q for name, item in value.items() for q in visible(item, (*path, name))]

    return [p for name, value in bare.items() if name not in _TECHNICAL for p in visible(value, (name,))]


def always_sent(credential: str, paths: Sequence[ClaimPath], form: str = "dc+sd-jwt") -> set[ClaimPath]:
    """Of ``paths`` (what a presentation of ``credential`` shows, :func:`credentials.sd_jwt.disclosed_for`),
    those every presentation shows whatever is asked: no Disclosure on the way to them, at them or
    below them (RFC 9901 §7.2), so leaving them out would hold nothing back. Such a claim is never one
    the worker may leave out (a PID's ``issuing_country``, an EHIC's plain ``subject``). An mdoc:
    none (every element is chosen, ISO 18013-5 §8.3.2.1.2.2)."""
    from credentials import sd_jwt

    if form != "dc+sd-jwt":
        return set()
    disclosable = sd_jwt.disclosable_paths(credential)
    return {p for p in paths if not any(_meet(p, d) for d in disclosable)}


def _meet(a: ClaimPath, b: ClaimPath) -> bool:
    """Whether one of two claim paths is on the way to the other or both are one (an array's None: any index)."""
    return all(x == y or (x is None and isinstance(y, int)) or (y is None and isinstance(x, int))
               for x, y in zip(a, b, strict=False))


def disclosures_sent(credential: str, paths: Collection[ClaimPath], form: str = "dc+sd-jwt") -> set[ClaimPath]:
    """The Disclosures (by their claim paths) a presentation of ``credential`` selecting ``paths``
    sends: each at, below or on the way to a selected path (RFC 9901 §4.2.6, §7.2; what
    :func:`credentials.sd_jwt.present` chooses). What the worker can hold back is no more than
    these: everything else of the payload leaves whatever is selected. An mdoc: ``paths``
    themselves (every element is chosen on its own, ISO 18013-5 §8.3.2.1.2.2)."""
    from credentials import sd_jwt

    if form != "dc+sd-jwt":
        return set(paths)
    return {d for d in sd_jwt.disclosable_paths(credential) if any(_meet(p, d) for p in paths)}


def response_form(request: VerifiedRequest, vp_token: dict[str, list[str]]) -> dict[str, str]:
    """§8.2 / §8.3.1 body for the response_uri."""
    from credentials.openid4vp import build_response_form

    return build_response_form(request.raw, {"vp_token": vp_token})


def error_form(request: VerifiedRequest, error: str, description: str) -> dict[str, str]:
    """§8.5 error response (e.g. ``access_denied`` when the holder declines): encrypted as the request
    asks, else plain (§8.3.1 allows it of a wallet that cannot encrypt), so that an error can always go."""
    from credentials.openid4vp import error_response_form

    return error_response_form(request.raw, error, description)


# --- offline QR (issue #7) -----------------------------------------------------------------------------


def check_compact(compact_b64: str, card: CheckedCredential, sd_jwt_vc: str, key: PrivateKey, *,
                  now: datetime) -> str:
    """The compact credential received beside ``sd_jwt_vc`` (``card``, as :func:`verify_issued` read
    it): same document signer, same wallet key (:func:`credentials.compact.check_issued`), and what
    it shows an inspector is what the card says (:func:`_offline_differences`), else
    :class:`~wallet.errors.OfflineFormDiffersError` naming what differs.

    It is read as the inspector's verifier reads it (:func:`credentials.compact.verify_compact`, over
    the QR text this wallet would show, :func:`credentials.compact.present_compact`), so what is
    compared is what the inspector is shown, and a form no inspector could read is not kept either.
    """
    from credentials import compact
    from credentials.jose import b64url_decode
    from credentials.sd_jwt import parse
    from credentials.x509 import load_x5c, spki_kid

    try:
        raw = b64url_decode(compact_b64)
    except ValueError as exc:
        raise MalformedError("the offline credential is not base64url") from exc
    leaf = load_x5c(parse(sd_jwt_vc).issuer_jws.header["x5c"])[0]  # already validated by verify_issued
    signer_key = leaf.public_key()
    if not isinstance(signer_key, PublicKey):  # verify_issued allowed it: never, under our ES256 policy
        raise IssuerKeyError("the document signer's key is not an EC key")
    compact.check_issued(raw, issuer_key=signer_key, holder_key=key.public_key())
    signer_kid = b64url_encode(compact.kid_bytes(spki_kid(leaf)))

    def signer(kid: str, _vct: str, _at: datetime) -> PublicKey:
        # The inspector finds the signer by this kid on the trust list: another signer's would have
        # the form judged as that institution's (or as nobody's), not as the card's issuer's.
        if kid != signer_kid:
            raise OfflineFormDiffersError("the offline QR form names another signer than the document")
        return signer_key

    shown = compact.verify_compact(compact.parse_qr(compact.present_compact(raw, key, now=now)), resolve_key=signer,
                                   now=now)
    unknown = [f"field {k!r}" for k in compact.decode_credential(raw).ours[1] if not _known_offline_field(k)]
    _refuse_if_any(OfflineFormDiffersError, "the offline QR form differs from the document in",
                   _offline_differences, card, shown, unknown)
    return compact_b64


def _known_offline_field(key: Any) -> bool:
    from credentials.compact import FIELDS

    return type(key) is int and key in FIELDS.values()  # type(): a CBOR true is not the field 1


def _offline_differences(card: CheckedCredential, shown: VerifiedCompact, unknown: list[str]) -> list[str]:
    """Where the offline form ``shown`` says otherwise than ``card``, as the form's field names.

    The same is: the same type; the same validity (``iat``, which is also when the form starts to
    be valid, and ``exp``, each the card's; the card's ``nbf``, if any, not after it); the same
    status list entry (one withdrawal withdraws both); the same fields with the same values as the
    institution makes of the card's claims (:func:`credentials.compact.fields_of`, as the inspector
    reads them: a date as ``YYYY-MM-DD``), none more and none fewer. The holder's name and birth
    date (:data:`credentials.compact.HOLDER_FIELDS`) come from the institution's case, not from the
    card, so they are taken as shown, except where the card names the person itself (an EHIC for a
    represented person). A field this wallet does not know (``unknown``) differs: what it would
    show an inspector cannot be checked.
    """
    from credentials import compact
    from credentials.status_list import StatusReference

    if shown.vct != card.vct:
        return ["type", *unknown]
    try:
        expected = compact.fields_of(card.vct, card.claims,
                                     {name: shown.fields.get(name) for name in compact.HOLDER_FIELDS})
    except CredentialError:  # the card's claims have no offline form: whatever the form says, it is not the card's
        return ["fields", *unknown]
    found = [name for name in dict.fromkeys([*expected, *shown.fields])
             if next(_differing(expected.get(name), shown.fields.get(name)), None) is not None
             # An institution's older issuer makes no such field: not shown is not shown otherwise.
             and not (name in compact.LATER_FIELDS and name not in shown.fields)]
    nbf = card.signed.get("nbf")
    found += [name for name, differs in (
        ("iat", shown.iat != card.iat), ("nbf", isinstance(nbf, int) and nbf > shown.iat),
        ("exp", shown.exp != card.exp),
        ("status", shown.status != (StatusReference.from_claim(card.status) if card.status else None)),
    ) if differs]
    return found + unknown


def offline_fields(cred: StoredCredential) -> list[str]:
    """The fields the document's offline QR shows (for the worker's record)."""
    from credentials import compact
    from credentials.jose import b64url_decode

    raw = cred.extra.get("compact") if cred.extra else None
    return compact.decode_credential(b64url_decode(raw)).field_names if isinstance(raw, str) else []


#: What a worker types for a letter of the inspector's code (RFC 4648 base32: A-Z and 2-7 only, so
#: these digits can only be the letters they look like), and what the code's grouping may hold.
_CODE_TYPOS = str.maketrans({"0": "O", "1": "I", "8": "B", " ": None, "-": None, "\u00a0": None})


def inspector_code(text: str) -> str:
    """The inspector's code (the verifier's offline challenge, base32) as the worker typed it, read as
    the verifier wrote it: upper case, without spaces or hyphens, 0/1/8 as O/I/B (digits the code
    never holds), at most 32 characters; "" for none."""
    return text.strip().upper().translate(_CODE_TYPOS)[:32]


def offline_qr(cred: StoredCredential, *, now: datetime, challenge: bytes | None = None) -> str:
    """The QR text the phone shows on site: the compact credential and a fresh holder signature."""
    from credentials import compact
    from credentials.jose import b64url_decode
    from wallet.keys import load_key

    raw = cred.extra.get("compact") if cred.extra else None
    if not isinstance(raw, str):
        raise MalformedError("this document has no offline QR form")
    return compact.present_compact(b64url_decode(raw), load_key(cred.private_key), now=now, challenge=challenge)
