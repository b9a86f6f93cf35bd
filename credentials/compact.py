"""Compact offline credentials for QR codes: a CWT in a COSE_Sign1, shown with a holder signature.

An SD-JWT presentation of a PDA1 (4-7 KB) never fits a QR code. Alongside each PDA1 and EHIC the
issuer signs a compact credential holding only the inspection fields (RFC 8392 CWT claims in an
RFC 9052 COSE_Sign1, ES256, ``kid`` = the first 8 bytes of the SHA-256 of the signer's
SubjectPublicKeyInfo instead of a certificate chain (looked up on the trust list; a prefix that
matched two keys would be refused), a status list reference, and the wallet key as ``cnf`` COSE_Key, RFC 8747).
The wallet shows it as ``EP1:`` + Base45 (RFC 9285) of zlib(CBOR) in QR alphanumeric mode, with
a holder COSE_Sign1 over a fresh timestamp or the inspector's challenge, bound to the credential
by its hash as external AAD. Paper copies carry no ``cnf`` and no holder signature.

CWT claims map (integer keys are RFC 8392 / RFC 8747 / status list draft §6.2 CWT form)::

    4 exp   6 iat   8 cnf {1: COSE_Key, y compressed}   (no iss: the kid names the institution)
    -70001 [type (1 = PDA1, 2 = EHIC), inspection fields (below), status [idx, uri] or null]

(one private claim holds our data, and the status list reference is the draft's ``status_list``
{idx, uri} as a two-element array: each saves bytes in the QR code; both COSE_Sign1 are untagged
for the same reason).

Inspection fields: a map with small integer keys (one CBOR byte each), dates as days since
1970-01-01; :attr:`VerifiedCompact.fields` gives them back by name:

    1 legislation_country / issuing_country (EHIC)   2 starting_date   3 ending_date
    4 status_confirmation   5 employer_name   6 employer_id   7 document_number
    8 family_name   9 given_name   10 birthdate   11 personal_administrative_number
    12 institution_id   13 institution_name   14 date_of_expiry   15 date_of_issuance (EHIC; a form made
    before it lacks it, :data:`LATER_FIELDS`, and an EHIC card is then not confirmed for a past day of care)
    16 applies_for_duration   17 determination_provisional (a PDA1's boxes 2.4 and 2.5, :data:`BOXES`: CBOR
    true, carried only when ticked, as the claims' absence means not ticked; credentials.pda1)
    18 card_number   19 card_expiry (a provisional replacement certificate's fields 8 and 9 of the card it
    replaces, credentials.ehic.PRC_CARD_CLAIMS)
    20 work_information (a PDA1's section 5, the places of work, below)

Field 20 lets the inspector offline see where the A1 says the work is, and be told, as online, when it
names places only in other states (credentials.verification.WORK_ELSEWHERE; Directive 2014/67/EU Art. 9).
It is a CBOR array ``[k, place, ...]``: each fixed place of work (v1 ``work_address``, v1.1
``work_information.work_address[]``) as one text, its state's code, a space and its locality
(``"AT Wien"``; the code alone when it names no locality; two bytes a place fewer than an array), a
state with no fixed place of work (v1.1 ``no_fixed_place_of_work``) as ``[country]``, and ``k`` the
number of fixed places left out. The issuer decides what goes in, by this rule (:func:`_places`): the
locality in at most :data:`MAX_LOCALITY` characters (white space collapsed, a longer one cut with "…");
all places when there are at most :data:`MAX_PLACES`, else the first place of each state named, then
further places in the A1's order up to :data:`MAX_PLACES` (kept in the A1's order), so that the carried
places name every state the A1 names and the work-elsewhere notice reads what it reads online; an A1
naming more states than that carries the places beyond the first :data:`MAX_PLACES` as their code alone.
It reads back as the v1.1 ``work_information`` (``{"work_address": [{"country", "locality"}],
"no_fixed_place_of_work", "more": k}``, ``more`` only when places were left out), which the verifier
shows and judges as the online claim ("and k more" on the page). An A1 naming no place has no field 20.

Fields 16-20 came after the first forms: a form without them (an older issuer's) still verifies and reads
as a definitive determination, as an A1 without box 2.5 does online, and without field 20 as "places of
work not in this QR code", never as an A1 naming none (no work-elsewhere notice is told on it). Each is
inside the issuer's COSE_Sign1 payload like every other field, so changing one breaks the signature.

``alg`` is not carried: the policy is ES256, so the protected headers are empty (RFC 9052 §3.1
lets context imply the algorithm), which keeps the PDA1 QR code at version 15 or below without places of
work (with both boxes too), and a posted worker's A1 naming one place or three (localities of a typical
length) at version 16 or below; a PRC naming the card it replaces (a 20-digit card number) takes version
16, a card's 15.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import base45
import cbor2

from credentials import cose, countries, ehic, pda1
from credentials.errors import (
    KbFreshnessError,
    KbSignatureError,
    KeyBindingError,
    MalformedError,
    NonceError,
    ValidityError,
    VctError,
)
from credentials.jose import PrivateKey, PublicKey, b64url_decode, b64url_encode, public_key_from_jwk
from credentials.status_list import StatusReference

__all__ = [
    "BOXES",
    "CHALLENGE_SKEW",
    "HOLDER_FIELDS",
    "ISSUED_SKEW",
    "LATER_FIELDS",
    "PREFIX",
    "HolderClockError",
    "IssuedAheadError",
    "UnverifiedCompact",
    "VerifiedCompact",
    "check_issued",
    "decode_credential",
    "fields_of",
    "issue_compact",
    "paper_qr",
    "parse_qr",
    "present_compact",
    "qr_png",
    "qr_version",
    "verify_compact",
]

PREFIX = "EP1:"
EXP, IAT, CNF, ESSPASS = 4, 6, 8, -70001
#: Seconds the holder proof's time may be off the verifier's clock, either way, when it carries the
#: inspector's challenge: the challenge (single use, minutes) already proves the code was made now for
#: this inspector, so its time only tells whether the two clocks agree. The online check's KB-JWT window
#: (credentials.sd_jwt KeyBindingPolicy max_age; standards.md §13: "KB-JWT iat window e.g. 5 min").
CHALLENGE_SKEW = 300
#: Seconds a credential's ``iat`` may lie ahead of the verifier's clock: a copy the wallet renewed
#: minutes ago, shown to a laptop whose clock is a few minutes slow (days without network), is no
#: credential "from the future". As the challenge's window: the issuer's signature is checked already.
ISSUED_SKEW = 300


class HolderClockError(KbFreshnessError):
    """The holder proof's time is off the verifier's clock in a way a wrong clock explains, not an old
    code: ahead of it (the phone's clock ahead, or the verifier's behind), or, over the inspector's
    challenge, more than :data:`CHALLENGE_SKEW` either way. ``key`` names the words the pages say
    (``key_binding.clock_ahead``, ``key_binding.clock_behind``), ``offset`` by how many seconds."""

    def __init__(self, message: str, *, key: str, offset: float) -> None:
        super().__init__(message)
        self.key, self.offset = key, offset


class IssuedAheadError(ValidityError):
    """The credential's ``iat`` is more than :data:`ISSUED_SKEW` ahead of the verifier's clock: the
    issuer's signature is genuine, so the verifier's clock is behind (``token_validity.clock_behind``)."""

    def __init__(self, message: str, *, key: str, offset: float) -> None:
        super().__init__(message)
        self.key, self.offset = key, offset


def _off(seconds: float) -> str:
    """How far two clocks are apart, in English words: minutes below two hours, then hours, then days."""
    whole = int(abs(seconds))
    count, unit = (whole // 86400, "day") if whole >= 2 * 86400 else (whole // 3600, "hour") \
        if whole >= 2 * 3600 else (max(1, round(whole / 60)), "minute")
    return f"{count} {unit}{'' if count == 1 else 's'}"
FIELDS = {"legislation_country": 1, "starting_date": 2, "ending_date": 3, "status_confirmation": 4,
          "employer_name": 5, "employer_id": 6, "document_number": 7, "family_name": 8, "given_name": 9,
          "birthdate": 10, "personal_administrative_number": 11, "institution_id": 12, "institution_name": 13,
          "date_of_expiry": 14, "date_of_issuance": 15, "applies_for_duration": 16,
          "determination_provisional": 17, "card_number": 18, "card_expiry": 19, "work_information": 20}
DATES = ("starting_date", "ending_date", "birthdate", "date_of_expiry", "date_of_issuance", "card_expiry")
#: A PDA1's boxes 2.4 and 2.5 (credentials.pda1 ``_SECTION_2_BOXES``): CBOR true, only when ticked.
BOXES = ("applies_for_duration", "determination_provisional")
#: Fields a form made before them lacks (a QR code shown before field 15 or 16-19 was carried, or made by
#: an institution's older issuer): read as not known, never as a form that differs from its card. Not box
#: 2.5: a form that would show a provisional determination as a definitive one differs from its card (the
#: wallet refuses it, wallet.core._offline_differences), since the inspector offline must be told. Field 20
#: left out reads "places of work not in this QR code" (tolerated); carried, it must be the card's places, so a
#: form hiding or changing a place is refused.
LATER_FIELDS = ("date_of_issuance", "applies_for_duration", "card_number", "card_expiry", "work_information")
#: Field 20 (module docstring): the most places of work carried with their locality, and the longest locality.
MAX_PLACES, MAX_LOCALITY = 5, 32
#: Most entries field 20 may hold when read (every coordination state named once is far below it).
_MAX_PLACE_ENTRIES = 64
_EPOCH = date(1970, 1, 1)
TYPES = {pda1.VCT: 1, ehic.VCT: 2}
VCTS = {v: k for k, v in TYPES.items()}
MAX_QR_CHARS = 4296
MAX_INFLATED = 16 * 1024
#: Latest iat/exp accepted (9999-12-31T23:59:59Z): beyond it a date cannot be represented (and
#: ``datetime.fromtimestamp`` overflows), so such a value is malformed, not a far-future date.
MAX_TIME = 253_402_300_799
#: Longest text of one inspection field (the claims' own limits are far below this).
MAX_FIELD_CHARS = 500


def _pda1_fields(claims: Mapping[str, Any], holder: Mapping[str, Any]) -> dict[int, Any]:
    employer = pda1.employers(claims)[0] if pda1.employers(claims) else {}
    return _clean({"legislation_country": claims.get("legislation_country"),
                   "starting_date": claims.get("starting_date"), "ending_date": claims.get("ending_date"),
                   "status_confirmation": claims.get("status_confirmation"), "employer_name": employer.get("name"),
                   "employer_id": employer.get("id"), "document_number": claims.get("document_number"),
                   # Box 2.5 offline as online: the verifier's pda1.provisional notice reads it (987/2009 Art. 16).
                   **{box: True for box in BOXES if claims.get(box) is True},
                   # Section 5 offline as online: the places shown and the work-elsewhere notice read them.
                   # An A1 naming its holder (section 1, credentials.pda1.with_holder): its offline form names
                   # the same person, whatever holder is passed beside it, as a card's does.
                   "work_information": _places(claims), **_holder({**holder, **pda1.holder_of(claims)})})


def _places(claims: Mapping[str, Any]) -> list[Any] | None:
    """Field 20 of an A1's ``claims`` (module docstring): ``[k, place, ...]``, or None when it names no place.
    ValueError for a place naming no state as text (claims another issuer wrote)."""
    fixed = [p for p in pda1.work_places(claims) if "no_fixed_place_of_work" not in p]
    info = claims.get("work_information")
    unfixed = info.get("no_fixed_place_of_work") if isinstance(info, Mapping) else None
    # v1.1 names one state; the EUDI model's list is read as several.
    states_unfixed = [unfixed] if isinstance(unfixed, str) and unfixed else \
        list(unfixed) if isinstance(unfixed, list) else []
    for state in [place.get("country") for place in fixed] + states_unfixed:
        if not isinstance(state, str) or state.split() != [state]:  # a code: text, no white space
            raise ValueError("a place of work names no state's code")
    if not fixed and not states_unfixed:
        return None
    chosen = list(range(len(fixed)))
    if len(fixed) > MAX_PLACES:
        # Every state named first (the notice reads the states), then the A1's order up to MAX_PLACES.
        first_of: dict[str, int] = {}
        for i in chosen:
            first_of.setdefault(countries.normalise(fixed[i]["country"].strip().upper()), i)
        firsts = list(first_of.values())
        rest = [i for i in chosen if i not in firsts]
        chosen = sorted(firsts + rest[:max(0, MAX_PLACES - len(firsts))])
    entries: list[Any] = []
    for n, i in enumerate(chosen):
        named = fixed[i].get("locality")
        locality = " ".join(named.split()) if isinstance(named, str) else ""
        if len(locality) > MAX_LOCALITY:
            locality = locality[:MAX_LOCALITY - 1].rstrip() + "…"
        # Beyond MAX_PLACES (an A1 naming more states than that): the state alone.
        entries.append(f"{fixed[i]['country']} {locality}" if locality and n < MAX_PLACES else fixed[i]["country"])
    return [len(fixed) - len(chosen), *entries, *([state] for state in states_unfixed)]


def _ehic_fields(claims: Mapping[str, Any], holder: Mapping[str, Any]) -> dict[int, Any]:
    subject = claims.get("subject") or {}
    # A card naming its holder (fields 3-5, credentials.ehic.with_holder): its offline form names the
    # same person, whatever holder is passed beside it (a wallet compares the form with the card).
    person = _holder({**holder, **ehic.holder_of(claims)})
    if subject:  # an EHIC for a represented person names that person
        person = {"family_name": subject.get("familynames"), "given_name": subject.get("forenames"),
                  "birthdate": subject.get("date_of_birth")}
    source = claims.get("authentic_source") or {}
    return _clean({"issuing_country": claims.get("issuing_country"),
                   "personal_administrative_number": claims.get("personal_administrative_number"),
                   "institution_id": source.get("id"), "institution_name": source.get("name"),
                   "document_number": claims.get("document_number"), "date_of_expiry": claims.get("date_of_expiry"),
                   # A card shows cover from its issue (Decision S2): the date of care is judged against it
                   # offline as online (credentials.verification._validity_steps).
                   "date_of_issuance": claims.get("date_of_issuance"),
                   # A PRC names the card it replaces (Decision S2 fields 8, 9): the inspector offline sees it too.
                   "card_number": claims.get("card_number"), "card_expiry": claims.get("card_expiry"),
                   "starting_date": claims.get("starting_date"), "ending_date": claims.get("ending_date"), **person})


#: The holder's name and birth date: the institution's case gives them (the inspector has no PID
#: on site to read them from), except an EHIC for a represented person, which names that person.
HOLDER_FIELDS = ("family_name", "given_name", "birthdate")


def _holder(holder: Mapping[str, Any]) -> dict[str, Any]:
    return {name: holder.get(name) for name in HOLDER_FIELDS}


def fields_of(vct: str, claims: Mapping[str, Any], holder: Mapping[str, Any]) -> dict[str, Any]:
    """The named fields the compact form of a ``vct`` document with ``claims`` (and ``holder``'s
    :data:`HOLDER_FIELDS`) carries, as :func:`verify_compact` reads them back: what
    :func:`issue_compact` signs, for a wallet to compare a form it received with its card."""
    if vct not in TYPES:
        raise VctError(f"no compact form for {vct}")
    try:
        return _named(_pda1_fields(claims, holder) if vct == pda1.VCT else _ehic_fields(claims, holder), vct)
    except (ValueError, TypeError, AttributeError) as exc:  # claims another issuer wrote, not validated as ours
        raise MalformedError("the claims have no offline form: a date is not YYYY-MM-DD or a part is not a map") \
            from exc


def _clean(fields: Mapping[str, Any]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for name, value in fields.items():
        if value in (None, ""):
            continue
        if name in DATES and isinstance(value, str):
            value = (date.fromisoformat(value) - _EPOCH).days
        out[FIELDS[name if name != "issuing_country" else "legislation_country"]] = value
    return out


def _named(fields: Mapping[Any, Any], vct: str) -> dict[str, Any]:
    names = {v: k for k, v in FIELDS.items()}
    if vct == ehic.VCT:
        names[1] = "issuing_country"
    out: dict[str, Any] = {}
    for key, value in fields.items():
        # type(), not isinstance: a CBOR true would otherwise be read as key 1.
        name = names.get(key) if type(key) is int else None
        if name is None:
            continue  # a field this version does not know is ignored, never guessed
        if name in DATES:
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 200_000:
                raise MalformedError(f"the date {name} is malformed")
            value = (_EPOCH + timedelta(days=value)).isoformat()
        elif name == "work_information":
            value = _read_places(value)
        elif name in BOXES:
            # Only true is issued (a box not ticked is left out); false reads as the claim false would.
            if type(value) is not bool:
                raise MalformedError(f"the field {name} is malformed")
        # Every other field is text: the verdict shows it and the checks compare it as text, so a
        # map, array, byte string or number where text belongs is a forgery, not a value.
        elif not isinstance(value, str) or len(value) > MAX_FIELD_CHARS:
            raise MalformedError(f"the field {name} is malformed")
        out[name] = value
    return out


def _read_places(value: Any) -> dict[str, Any]:
    """Field 20 (module docstring) as the v1.1 ``work_information`` it stands for; MalformedError for
    anything else (every text a code or a locality, as the verdict shows and the checks compare text)."""

    def text(item: Any) -> bool:
        return isinstance(item, str) and 0 < len(item) <= MAX_FIELD_CHARS

    if not isinstance(value, list) or not 2 <= len(value) <= _MAX_PLACE_ENTRIES + 1 \
            or type(value[0]) is not int or not 0 <= value[0] <= 100_000:
        raise MalformedError("the field work_information is malformed")
    fixed: list[dict[str, str]] = []
    unfixed: list[str] = []
    for entry in value[1:]:
        if text(entry) and entry.split(" ", 1)[0]:
            country, _, locality = entry.partition(" ")
            fixed.append({"country": country, **({"locality": locality} if locality else {})})
        elif isinstance(entry, list) and len(entry) == 1 and text(entry[0]):
            unfixed.append(entry[0])
        else:
            raise MalformedError("the field work_information is malformed")
    out: dict[str, Any] = {}
    if fixed:
        out["work_address"] = fixed
    if unfixed:
        out["no_fixed_place_of_work"] = unfixed[0] if len(unfixed) == 1 else unfixed
    if value[0]:
        out["more"] = value[0]
    return out


KID_BYTES = 8


def kid_bytes(kid: str) -> bytes:
    """The short kid in the QR: a prefix of the signer's full kid (ARCHITECTURE.md: b64url SHA-256 SPKI)."""
    return b64url_decode(kid)[:KID_BYTES]


def issue_compact(*, vct: str, claims: Mapping[str, Any], holder: Mapping[str, Any],
                  holder_jwk: Mapping[str, Any] | None, issuer_key: PrivateKey, kid: str, iat: int, exp: int,
                  status: StatusReference | None) -> bytes:
    """The compact credential (tagged COSE_Sign1 bytes) for a PDA1 or EHIC's validated claims.

    ``holder`` gives the holder's names and birth date (from the case); ``holder_jwk`` None makes a
    paper credential (no ``cnf``: whoever shows it must prove identity with a document).
    """
    if vct not in TYPES:
        raise VctError(f"no compact form for {vct}")
    fields = _pda1_fields(claims, holder) if vct == pda1.VCT else _ehic_fields(claims, holder)
    ref = [status.idx, status.uri] if status is not None else None
    payload: dict[int, Any] = {IAT: iat, EXP: exp, ESSPASS: [TYPES[vct], fields, ref]}
    if holder_jwk is not None:
        payload[CNF] = {1: cose.cose_key(public_key_from_jwk(holder_jwk), compressed=True)}
    return cose.sign1(cbor2.dumps(payload), issuer_key, kid=kid_bytes(kid), tagged=False,
                      implicit_alg=True)


def _encode(items: list[Any]) -> str:
    encoded: bytes = base45.b45encode(zlib.compress(cbor2.dumps(items), 9))
    return PREFIX + encoded.decode("ascii")


def present_compact(credential: bytes, holder_key: PrivateKey, *, now: datetime,
                    challenge: bytes | None = None) -> str:
    """The wallet's QR text: the credential plus a holder signature over now (or the challenge)."""
    body: dict[int, Any] = {1: int(now.timestamp())}
    if challenge is not None:
        body[2] = challenge
    proof = cose.sign1(cbor2.dumps(body), holder_key, external_aad=hashlib.sha256(credential).digest(),
                       tagged=False, implicit_alg=True)
    return _encode([credential, proof])


def paper_qr(credential: bytes) -> str:
    """The QR text printed on paper: the credential alone (only for credentials without ``cnf``)."""
    return _encode([credential])


@dataclass(frozen=True, slots=True)
class UnverifiedCompact:
    credential: bytes
    message: cose.UnverifiedSign1
    claims: dict[int, Any]
    proof: cose.UnverifiedSign1 | None

    @property
    def kid(self) -> str:
        kid = self.message.kid
        if kid is None:
            raise MalformedError("the compact credential has no kid")
        return b64url_encode(kid)

    @property
    def ours(self) -> list[Any]:
        value = self.claims.get(ESSPASS)
        if not isinstance(value, list) or len(value) != 3:
            raise MalformedError("the compact credential lacks its ESSPASS claim")
        return value

    @property
    def field_names(self) -> list[str]:
        """The names of the inspection fields it carries (what showing it discloses), unverified."""
        fields = self.ours[1]
        return sorted(_named(fields, self.vct)) if isinstance(fields, dict) else []

    @property
    def vct(self) -> str:
        kind = self.ours[0]
        # Checked before the lookup: a CBOR array or map there is unhashable, and true equals 1.
        vct = VCTS.get(kind) if type(kind) is int else None
        if vct is None:
            raise VctError("unknown compact credential type")
        return vct

    @property
    def iat(self) -> int:
        return _int(self.claims, IAT)


def _int(claims: Mapping[int, Any], key: int) -> int:
    """An iat/exp (RFC 8392 NumericDate, integer form) between 1970 and :data:`MAX_TIME`."""
    value = claims.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError("the compact credential lacks a required date")
    if not 0 <= value <= MAX_TIME:
        raise MalformedError("the compact credential has a date outside the years 1970 to 9999")
    return value


def parse_qr(text: str) -> UnverifiedCompact:
    """Decode the QR text (size and decompression limits); nothing is trusted yet."""
    if not isinstance(text, str) or not text.startswith(PREFIX) or len(text) > MAX_QR_CHARS:
        raise MalformedError("this is not an ESSPASS offline QR code")
    try:
        packed = base45.b45decode(text[len(PREFIX):])
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise MalformedError("the QR content is too large")
    except (ValueError, zlib.error) as exc:
        raise MalformedError("the QR code content is damaged") from exc
    # One zlib stream holding one CBOR item and nothing after either: otherwise a changed QR text
    # (bytes appended) would verify as the genuine one.
    if not inflater.eof or inflater.unused_data:
        raise MalformedError("the QR code content is damaged")
    try:
        items = cose.loads_one(raw)
    except MalformedError as exc:
        raise MalformedError("the QR code content is damaged") from exc
    if not isinstance(items, list) or len(items) not in (1, 2) or not isinstance(items[0], bytes):
        raise MalformedError("the QR code content is damaged")
    parsed = decode_credential(items[0])
    proof = cose.decode_sign1(items[1]) if len(items) == 2 else None
    return UnverifiedCompact(parsed.credential, parsed.message, parsed.claims, proof)


def decode_credential(raw: bytes) -> UnverifiedCompact:
    """A compact credential as issued (no holder proof); nothing is trusted yet."""
    message = cose.decode_sign1(raw)
    if message.payload is None:
        raise MalformedError("the credential payload is missing")
    claims = cose.loads_one(message.payload, "the credential payload")
    if not isinstance(claims, dict):
        raise MalformedError("the credential payload must be a map")
    return UnverifiedCompact(raw, message, claims, None)


def check_issued(raw: bytes, *, issuer_key: PublicKey, holder_key: PublicKey) -> None:
    """Wallet side: the compact credential received beside an SD-JWT VC is signed by the same
    document signer and bound to the same wallet key; otherwise it is not stored."""
    parsed = decode_credential(raw)
    cose.verify_sign1(parsed.message, issuer_key, implicit_alg=True)
    cnf = parsed.claims.get(CNF)
    if not isinstance(cnf, dict) or not isinstance(cnf.get(1), dict):
        raise KeyBindingError("the offline credential is not bound to a key")
    if cose.cose_key(cose.public_from_cose_key(cnf[1])) != cose.cose_key(holder_key):
        raise KeyBindingError("the offline credential is bound to another key than the document")


@dataclass(frozen=True, slots=True)
class VerifiedCompact:
    vct: str
    kid: str  # the short kid (b64url of its bytes)
    fields: dict[str, Any]
    iat: int
    exp: int
    status: StatusReference | None
    holder_bound: bool
    proof_time: int | None


def verify_compact(parsed: UnverifiedCompact, *, resolve_key: Callable[[str, str, datetime], PublicKey],
                   now: datetime, challenge: bytes | None = None, max_age: int = 60, skew: int = 30,
                   challenge_skew: int = CHALLENGE_SKEW, issued_skew: int = ISSUED_SKEW) -> VerifiedCompact:
    """Issuer signature (key by ``kid`` from the caller's trust list), validity, holder signature.

    ``resolve_key(kid, vct, issued_at)`` raises when the kid is unknown or not authorised. The
    holder proof must be signed by the ``cnf`` key over this credential, and either carry
    ``challenge`` (when the inspector showed one; its time then within ``challenge_skew`` seconds of
    ``now`` either way: the challenge is the freshness) or a timestamp at most ``max_age`` seconds
    old and ``skew`` ahead (a screenshot shown again is too old: replay). A time that says a clock is
    wrong rather than the code old is :class:`HolderClockError`, with the direction; a credential
    issued more than ``issued_skew`` seconds ahead is :class:`IssuedAheadError`.
    """
    vct, kid, iat = parsed.vct, parsed.kid, parsed.iat
    key = resolve_key(kid, vct, datetime.fromtimestamp(iat, UTC))
    cose.verify_sign1(parsed.message, key, implicit_alg=True)
    claims = parsed.claims
    exp = _int(claims, EXP)
    ts = now.timestamp()
    if iat > ts + issued_skew:
        raise IssuedAheadError(f"this copy of the document was issued {_off(iat - ts)} after this device's time: "
                               "this device's clock is behind; check its date and time",
                               key="token_validity.clock_behind", offset=iat - ts)
    if exp <= ts - skew:
        raise ValidityError("the credential has expired")
    _type, fields, raw_status = parsed.ours
    if not isinstance(fields, dict):
        raise MalformedError("the credential has no inspection fields")
    status = None
    if raw_status is not None:
        if not isinstance(raw_status, list | tuple) or len(raw_status) != 2:
            raise MalformedError("malformed status reference")
        status = StatusReference.from_claim({"status_list": {"idx": raw_status[0], "uri": raw_status[1]}})
    cnf = claims.get(CNF)
    proof_time = None
    if cnf is None:
        if parsed.proof is not None:
            raise KeyBindingError("a paper credential cannot carry a holder signature")
    else:
        if not isinstance(cnf, dict) or not isinstance(cnf.get(1), dict):
            raise MalformedError("malformed cnf")
        if parsed.proof is None:
            raise KeyBindingError("the holder's signature is missing: this QR is a copy, not shown by the phone")
        holder = cose.public_from_cose_key(cnf[1])
        body_bytes = cose.verify_sign1(parsed.proof, holder, external_aad=hashlib.sha256(parsed.credential).digest(),
                                       error=KbSignatureError, implicit_alg=True)
        body = cose.loads_one(body_bytes, "the holder proof")
        if not isinstance(body, dict) or not isinstance(body.get(1), int):
            raise MalformedError("the holder proof has no time")
        proof_time = int(body[1])
        if challenge is not None:
            if body.get(2) != challenge:
                raise NonceError("the QR was not made for this inspector's challenge")
        elif body.get(2) is not None:
            raise NonceError("the QR answers a challenge this inspector did not show")
        if challenge is not None:
            if proof_time > ts + challenge_skew:
                raise HolderClockError(f"the code was made over your code, but {_off(proof_time - ts)} ahead of this "
                                       "device's time: the phone's clock is ahead, or this device's is behind; check "
                                       "the date and time of both", key="key_binding.clock_ahead",
                                       offset=proof_time - ts)
            if proof_time < ts - challenge_skew:
                raise HolderClockError(f"the code was made over your code, but {_off(ts - proof_time)} before this "
                                       "device's time: the phone's clock is behind, or this device's is ahead; check "
                                       "the date and time of both", key="key_binding.clock_behind",
                                       offset=ts - proof_time)
        elif proof_time > ts + skew:  # refused (a code made for later is a replay's), but not as "too old"
            raise HolderClockError(f"the code was made {_off(proof_time - ts)} ahead of this device's time: the "
                                   "phone's clock is ahead, or this device's is behind; check the date and time of "
                                   "both, or show a code first (stronger check)", key="key_binding.clock_ahead",
                                   offset=proof_time - ts)
        elif proof_time < ts - max_age:
            raise KbFreshnessError("the QR code is too old: ask the worker to show a fresh one")
    return VerifiedCompact(vct, kid, _named(fields, vct), iat, exp, status, cnf is not None, proof_time)


def qr_version(text: str) -> int:
    """The QR version segno picks at error correction M in alphanumeric mode."""
    import segno

    return int(segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False).version)


def qr_png(text: str, *, scale: int = 4) -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    segno.make_qr(text, error="m", mode="alphanumeric", boost_error=False).save(buf, kind="png", scale=scale,
                                                                                border=4)
    return buf.getvalue()
