"""ISO/IEC 18013-5 mdoc, the subset OpenID4VCI (``mso_mdoc``) and OpenID4VP need (standards §7).

* Issuer (§7.2, §7.3): :func:`issue` makes an ``IssuerSigned``: one ``IssuerSignedItem`` per data
  element (a 16-byte random each), their SHA-256 digests in the Mobile Security Object, and the
  MSO signed as an untagged COSE_Sign1 (ES256) with the document signer's ``x5chain`` (label 33).
* Holder (§7.5): :func:`present` returns a ``DeviceResponse`` holding only the chosen elements and
  a ``deviceSignature`` over ``DeviceAuthenticationBytes`` for the verifier's session transcript.
* Verifier (§7.4, §7.5): :func:`verify_issuer_signed` and :func:`verify_presentation`: the chain
  to the caller's anchors, the issuer signature, doctype, digest algorithm, validity (ISO 18013-5
  §9.3.1: ``signed`` not in the future and within the document signer certificate's validity,
  ``validFrom`` <= ``validUntil``, now between them), every returned element against its digest,
  and (presentations) the device signature with the MSO's device key over the transcript the
  verifier rebuilt itself.
* :func:`openid4vp_session_transcript` is OpenID4VP 1.0 App. B.2.6.1 (redirect / direct_post).

Signatures and digests are over the exact bytes received (standards §7.1: "never re-encode
received items before hashing"). A digest covers an ``IssuerSignedItemBytes`` as it came on the
wire: tag-24 head, byte-string head (whatever length form the issuer chose) and content. The
decoder therefore reads ``nameSpaces`` from the encoded bytes (:func:`_map_fields`,
:func:`_children`) rather than from a decoded and re-encoded copy, and the wallet forwards each
item and the ``issuerAuth`` byte for byte (:class:`_Encoded`). Element values are the credential
model's JSON values (strings, maps, arrays), as in the SD-JWT VC.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials import cose, ehic, pda1, pid
from credentials.errors import (
    AlgorithmError,
    DisclosureError,
    IssuerKeyError,
    KbSignatureError,
    MalformedError,
    ValidityError,
    VctError,
)
from credentials.jose import PrivateKey, PublicKey
from credentials.status_list import CWT, StatusReference
from credentials.x509 import MAX_X5C_CERTS, ChainValidator, ValidatedChain, load_x5chain, validate_chain

__all__ = [
    "DOCTYPES",
    "DOCTYPE_VCT",
    "VerifiedMdoc",
    "issue",
    "openid4vp_session_transcript",
    "present",
    "verify_issuer_signed",
    "verify_presentation",
]

#: credential configuration id -> doctype (= its one namespace), shared/domain.md.
DOCTYPES = {pda1.CONFIGURATION_ID: "eu.europa.ec.eudi.pda1.1", ehic.CONFIGURATION_ID: "eu.europa.ec.eudi.ehic.1",
            pid.CONFIGURATION_ID: "eu.europa.ec.eudi.pid.1"}
#: doctype -> the SD-JWT VC type of the same document (trust list roles and registrations use vcts).
DOCTYPE_VCT = {DOCTYPES[m.CONFIGURATION_ID]: m.VCT for m in (pda1, ehic, pid)}
MAX_BYTES = 512 * 1024  # an EHIC or PID with a portrait stays far below
_DIGEST_ALGORITHMS = {"SHA-256": hashlib.sha256}
_TAG_CBOR = 24


def _tagged(value: Any) -> cbor2.CBORTag:
    """``#6.24(bstr .cbor value)`` (standards §7.1)."""
    return cbor2.CBORTag(_TAG_CBOR, cbor2.dumps(value, canonical=True))


def _untag(value: Any, what: str) -> Any:
    if not isinstance(value, cbor2.CBORTag) or value.tag != _TAG_CBOR or not isinstance(value.value, bytes):
        raise MalformedError(f"{what} must be CBOR wrapped in tag 24")
    return _loads(value.value, what)


def _loads(data: bytes, what: str) -> Any:
    """Exactly one well-formed CBOR data item: cbor2 ignores trailing bytes, we refuse them."""
    value, length = _decode_one(data, 0, what)
    if length != len(data):
        raise MalformedError(f"{what} has trailing bytes")
    return value


def _decode_one(data: bytes, pos: int, what: str) -> tuple[Any, int]:
    """The data item starting at ``pos`` and the offset just after it (cbor2's C decoder reads the
    stream item by item, so its position after one item is where that item's encoding ends)."""
    stream = io.BytesIO(data)
    stream.seek(pos)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, EOFError) as exc:
        raise MalformedError(f"{what} is not valid CBOR") from exc
    return value, stream.tell()


# ------------------------------------------------------------------ encoded bytes (RFC 8949 §3)
_BREAK = 0xFF


def _head(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """Major type, argument (None: indefinite length) and end offset of the head at ``pos`` (RFC 8949 §3)."""
    if pos >= len(data):
        raise MalformedError("truncated CBOR")
    major, info = data[pos] >> 5, data[pos] & 0x1F
    if info < 24:
        return major, info, pos + 1
    if info <= 27:  # 1, 2, 4 or 8 argument bytes follow (a float's or simple value's bytes for major 7)
        end = pos + 1 + (1 << (info - 24))
        if end > len(data):
            raise MalformedError("truncated CBOR")
        return major, int.from_bytes(data[pos + 1:end], "big"), end
    if info == 31 and major in (2, 3, 4, 5):
        return major, None, pos + 1
    raise MalformedError("malformed CBOR head")


def _children(data: bytes, major: int, what: str) -> list[bytes]:
    """The encoded items of the array (major 4) ``data`` encodes, or a map's (major 5) keys and
    values alternating, each exactly as received: cbor2 reads one item after the other from the
    same stream, and where each ends is where the next begins."""
    found, count, pos = _head(data, 0)
    if found != major:
        raise MalformedError(f"{what} must be {'an array' if major == 4 else 'a map'}")
    total = None if count is None else count * (2 if major == 5 else 1)
    if total is not None and total > len(data) - pos:
        raise MalformedError(f"{what} is not one well-formed CBOR item")  # more items than bytes
    stream = io.BytesIO(data)
    stream.seek(pos)
    decoder = cbor2.CBORDecoder(stream)
    parts: list[bytes] = []
    while len(parts) != total:
        if total is None and pos < len(data) and data[pos] == _BREAK:
            pos += 1
            break
        try:
            decoder.decode()
        except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, EOFError) as exc:
            raise MalformedError(f"{what} is not valid CBOR") from exc
        end = stream.tell()
        parts.append(data[pos:end])
        pos = end
    if (major == 5 and len(parts) % 2) or pos != len(data):
        raise MalformedError(f"{what} is not one well-formed CBOR item")
    return parts


def _map_fields(data: bytes, what: str) -> dict[Any, bytes]:
    """Key -> the value's encoded bytes, for the map ``data`` encodes. A repeated key is refused: a
    decoder keeps one of the values, and this reading must be the one the signature checks saw."""
    parts = _children(data, 5, what)
    fields: dict[Any, bytes] = {}
    for key_bytes, value in zip(parts[::2], parts[1::2], strict=True):
        key = _loads(key_bytes, f"a key of {what}")
        try:
            if key in fields:
                raise MalformedError(f"{what} repeats the key {key!r}")
        except TypeError as exc:
            raise MalformedError(f"{what} has a key that is not a string or number") from exc
        fields[key] = value
    return fields


@dataclass(frozen=True, slots=True)
class _Encoded:
    """Received CBOR written out as it came, never decoded and encoded again (standards §7.1)."""

    data: bytes


def _write_encoded(encoder: cbor2.CBOREncoder, value: Any) -> None:
    if not isinstance(value, _Encoded):
        raise cbor2.CBOREncodeTypeError(f"cannot encode {type(value).__name__}")
    encoder.write(value.data)


def _tdate(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


# --------------------------------------------------------------------------------------- issuer


def issue(*, doctype: str, claims: Mapping[str, Any], device_key: PublicKey, issuer_key: PrivateKey,
          x5chain: Sequence[Certificate], signed: datetime, valid_until: datetime,
          valid_from: datetime | None = None, status: StatusReference | None = None) -> bytes:
    """The CBOR ``IssuerSigned`` of one mdoc whose single namespace is ``doctype`` (§7.2, §7.3).

    ``x5chain`` is the document signer's chain without the trust anchor; ``status`` goes into the
    MSO as ISO 18013-5 2nd edition ``status.status_list`` (the same Token Status List as SD-JWT VC).
    """
    if not claims:
        raise MalformedError("an mdoc needs at least one data element")
    items = []
    digests = {}
    randoms = os.urandom(16 * len(claims))  # one system call for every item's 16-byte salt
    for digest_id, (identifier, value) in enumerate(claims.items()):
        encoded = _item_bytes(digest_id, randoms[16 * digest_id:16 * digest_id + 16], identifier, value)
        items.append(cbor2.CBORTag(_TAG_CBOR, encoded))
        # The digest covers IssuerSignedItemBytes, #6.24(bstr): the tag head, then the byte string.
        digests[digest_id] = hashlib.sha256(b"\xd8\x18" + cbor2.dumps(encoded)).digest()
    mso: dict[str, Any] = {
        "version": "1.0",
        "digestAlgorithm": "SHA-256",
        "valueDigests": {doctype: digests},
        "deviceKeyInfo": {"deviceKey": cose.cose_key(device_key)},
        "docType": doctype,
        "validityInfo": {"signed": _tdate(signed), "validFrom": _tdate(valid_from or signed),
                         "validUntil": _tdate(valid_until)},
    }
    if status is not None:
        mso["status"] = status.to_claim()
    issuer_auth = cose.sign1(cbor2.dumps(_tagged(mso)), issuer_key, tagged=False, x5chain=_der_chain(tuple(x5chain)))
    # {"nameSpaces": ..., "issuerAuth": ...} with the COSE_Sign1 spliced in as encoded, not decoded
    # and encoded again: a map of two pairs.
    return b"".join((b"\xa2", _NAMESPACES_KEY, cbor2.dumps({doctype: items}), _ISSUER_AUTH_KEY, issuer_auth))


_NAMESPACES_KEY, _ISSUER_AUTH_KEY = cbor2.dumps("nameSpaces"), cbor2.dumps("issuerAuth")
#: Values with no map inside and one encoding only, so that an item holding one is canonical
#: (RFC 8949 §4.2.1) when its four keys come in canonical order, without sorting anything.
_FLAT = frozenset({str, int, bool, bytes, type(None)})


def _item_bytes(digest_id: int, random: bytes, identifier: str, value: Any) -> bytes:
    """IssuerSignedItem (ISO 18013-5 §8.3.2.1.2.2), canonical CBOR as :func:`_tagged` makes it."""
    if type(value) in _FLAT:  # keys in canonical order: shorter encoded key first
        return cbor2.dumps({"random": random, "digestID": digest_id, "elementValue": value,
                            "elementIdentifier": identifier})
    return cbor2.dumps({"digestID": digest_id, "random": random, "elementIdentifier": identifier,
                        "elementValue": value}, canonical=True)


@lru_cache(maxsize=16)
def _der_chain(chain: tuple[Certificate, ...]) -> list[bytes]:
    # The document signer's chain is the same for every mdoc it signs.
    return [c.public_bytes(serialization.Encoding.DER) for c in chain]


# ------------------------------------------------------------------------------------- decoding


@dataclass(frozen=True, slots=True)
class _Item:
    namespace: str
    digest_id: int
    identifier: str
    value: Any
    raw: bytes  # the received IssuerSignedItemBytes, tag 24 header included: what the digest covers


@dataclass(frozen=True, slots=True)
class _IssuerSigned:
    items: tuple[_Item, ...]
    issuer_auth: cose.UnverifiedSign1
    raw_auth: bytes  # the COSE_Sign1 as received, put back into a DeviceResponse byte for byte


#: issuerAuth header labels acted on here (RFC 9052 §3.1 ``crit``): alg (policy) and x5chain.
_ISSUER_AUTH_LABELS = frozenset({cose.ALG, cose.X5CHAIN})
#: deviceSignature: alg only; the key comes from the MSO.
_DEVICE_AUTH_LABELS = frozenset({cose.ALG})


def _decode_issuer_signed(raw: bytes) -> _IssuerSigned:
    """``IssuerSigned`` from its encoded bytes; each item keeps the bytes it came in (its digest's input)."""
    fields = _map_fields(raw, "IssuerSigned")
    if "issuerAuth" not in fields:
        raise MalformedError("IssuerSigned must be a map with issuerAuth")
    items = []
    namespaces = _map_fields(fields["nameSpaces"], "IssuerSigned nameSpaces") if "nameSpaces" in fields else {}
    for namespace, entries in namespaces.items():
        if not isinstance(namespace, str):
            raise MalformedError("each namespace must list its IssuerSignedItemBytes")
        for entry in _children(entries, 4, "a namespace's IssuerSignedItemBytes"):
            item = _untag(_loads(entry, "IssuerSignedItemBytes"), "IssuerSignedItemBytes")
            if not isinstance(item, Mapping) or not isinstance(item.get("digestID"), int) \
                    or not isinstance(item.get("elementIdentifier"), str) or not isinstance(item.get("random"), bytes) \
                    or len(item["random"]) < 16 or "elementValue" not in item:
                raise MalformedError("malformed IssuerSignedItem")
            items.append(_Item(namespace, item["digestID"], item["elementIdentifier"], item["elementValue"], entry))
    auth = fields["issuerAuth"]
    return _IssuerSigned(tuple(items), cose.decode_sign1(auth, max_bytes=MAX_BYTES, understood=_ISSUER_AUTH_LABELS),
                         auth)


# ------------------------------------------------------------------------------------- verifier


@dataclass(frozen=True, slots=True)
class VerifiedMdoc:
    """An mdoc whose issuer signature, chain, validity and returned elements were checked."""

    doctype: str
    claims: dict[str, dict[str, Any]]  # namespace -> element -> value (only what was returned)
    device_key: PublicKey
    issuer_chain: ValidatedChain
    signed: datetime
    valid_from: datetime
    valid_until: datetime
    status: StatusReference | None


def _check_issuer_signed(doc: _IssuerSigned, *, anchors: Sequence[Certificate], now: datetime,
                         skew: int, chains: ChainValidator | None = None) -> VerifiedMdoc:
    """§7.4 steps 1-4. ``chains`` lets a long-lived verifier reuse chain validations (as for SD-JWT VC)."""
    ders = doc.issuer_auth.x5chain
    if len(ders) > MAX_X5C_CERTS:
        raise MalformedError(f"x5chain has more than {MAX_X5C_CERTS} certificates")
    if chains is not None:
        validated = chains([base64.b64encode(der).decode("ascii") for der in ders], anchors, now=now)
    else:
        validated = validate_chain(load_x5chain(ders), anchors, now=now)
    issuer_key = validated.leaf.public_key()
    if not isinstance(issuer_key, PublicKey):
        raise IssuerKeyError("the document signer does not hold an EC key")
    payload = cose.verify_sign1(doc.issuer_auth, issuer_key)
    mso = _untag(_loads(payload, "MobileSecurityObjectBytes"), "MobileSecurityObjectBytes")
    if not isinstance(mso, Mapping) or mso.get("version") != "1.0":
        raise MalformedError("the Mobile Security Object is not version 1.0")
    algorithm = _DIGEST_ALGORITHMS.get(mso.get("digestAlgorithm"))  # type: ignore[arg-type]
    if algorithm is None:
        raise AlgorithmError(f"digestAlgorithm {mso.get('digestAlgorithm')!r} is not accepted")
    doctype, validity, digests = mso.get("docType"), mso.get("validityInfo"), mso.get("valueDigests")
    if not isinstance(doctype, str) or not isinstance(validity, Mapping) or not isinstance(digests, Mapping):
        raise MalformedError("the Mobile Security Object lacks docType, validityInfo or valueDigests")
    times: list[datetime] = []
    for name in ("signed", "validFrom", "validUntil"):
        value = validity.get(name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise MalformedError("validityInfo needs signed, validFrom and validUntil as tdate")
        times.append(value)
    signed, valid_from, valid_until = times
    _check_validity(signed, valid_from, valid_until, validated.leaf, now=now, skew=skew)
    claims: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, int]] = set()
    for item in doc.items:
        expected = digests.get(item.namespace, {}).get(item.digest_id) if isinstance(
            digests.get(item.namespace), Mapping) else None
        if (item.namespace, item.digest_id) in seen or not isinstance(expected, bytes) \
                or algorithm(item.raw).digest() != expected:
            raise DisclosureError(f"data element {item.namespace}/{item.identifier} does not match its digest")
        seen.add((item.namespace, item.digest_id))
        if item.identifier in claims.setdefault(item.namespace, {}):
            raise DisclosureError(f"data element {item.identifier} is returned twice")
        claims[item.namespace][item.identifier] = item.value
    device_info = mso.get("deviceKeyInfo")
    if not isinstance(device_info, Mapping):
        raise MalformedError("the Mobile Security Object has no deviceKeyInfo")
    device_key = cose.public_from_cose_key(device_info.get("deviceKey"))  # type: ignore[arg-type]
    # ISO 18013-5 2nd ed.: an mdoc's status list is fetched in the CWT form.
    status = StatusReference.from_claim(mso["status"], token_form=CWT) if "status" in mso else None
    return VerifiedMdoc(doctype, claims, device_key, validated, signed, valid_from, valid_until, status)


def _check_validity(signed: datetime, valid_from: datetime, valid_until: datetime, signer: Certificate, *,
                    now: datetime, skew: int) -> None:
    """ValidityInfo (ISO 18013-5 §9.1.2.4, checked as §9.3.1 asks; standards §7.4 step 3).

    ``signed`` is the issuance time the trust list judges the issuer's authorisation at, so it
    must be believable: not in the future, and inside the document signer certificate's validity
    (a key cannot have signed before it was certified or after its certificate ended)."""
    ts = now.timestamp()
    if valid_from > valid_until:
        raise ValidityError("validityInfo has validFrom after validUntil")
    if signed.timestamp() > ts + skew:
        raise ValidityError("the Mobile Security Object claims to be signed in the future")
    if not signer.not_valid_before_utc <= signed <= signer.not_valid_after_utc:
        raise ValidityError("the Mobile Security Object was signed outside the document signer certificate's "
                            "validity")
    if valid_from.timestamp() > ts + skew:
        raise ValidityError("the mdoc is not valid yet")
    if valid_until.timestamp() <= ts - skew:
        raise ValidityError("the mdoc has expired")


def verify_issuer_signed(issuer_signed: bytes, *, anchors: Sequence[Certificate], now: datetime,
                         skew: int = 60) -> VerifiedMdoc:
    """Check an ``IssuerSigned`` as a wallet receives it from the issuer (§7.4)."""
    if len(issuer_signed) > MAX_BYTES:
        raise MalformedError("IssuerSigned too large")
    _loads(issuer_signed, "IssuerSigned")  # well-formed as a whole before any part is read
    return _check_issuer_signed(_decode_issuer_signed(issuer_signed), anchors=anchors, now=now, skew=skew)


# ------------------------------------------------------------------------------ presentations


def openid4vp_session_transcript(*, client_id: str, nonce: str, jwk_thumbprint: bytes | None,
                                 response_uri: str) -> bytes:
    """``SessionTranscriptBytes`` content for OpenID4VP redirects / direct_post (App. B.2.6.1).

    ``jwk_thumbprint``: RFC 7638 SHA-256 thumbprint of the verifier's response encryption key, or
    None when the response is not encrypted.
    """
    info = cbor2.dumps([client_id, nonce, jwk_thumbprint, response_uri])
    return cbor2.dumps([None, None, ["OpenID4VPHandover", hashlib.sha256(info).digest()]])


def _device_authentication(session_transcript: bytes, doctype: str, namespaces_bytes: cbor2.CBORTag) -> bytes:
    """``DeviceAuthenticationBytes`` (§7.5), the detached payload of ``deviceSignature``."""
    transcript = _loads(session_transcript, "SessionTranscript")
    return cbor2.dumps(_tagged(["DeviceAuthentication", transcript, doctype, namespaces_bytes]))


def present(issuer_signed: bytes, *, select: Collection[str], device_key: PrivateKey,
            session_transcript: bytes) -> bytes:
    """A ``DeviceResponse`` (§7.5) with only the ``select``-ed data elements of the mdoc's doctype
    namespace, device-signed over ``session_transcript``; the items keep their issued bytes."""
    _loads(issuer_signed, "IssuerSigned")
    doc = _decode_issuer_signed(issuer_signed)
    payload = doc.issuer_auth.payload
    if payload is None:
        raise MalformedError("issuerAuth has no payload")
    mso = _untag(_loads(payload, "MobileSecurityObjectBytes"), "MobileSecurityObjectBytes")
    doctype = mso.get("docType") if isinstance(mso, Mapping) else None
    if not isinstance(doctype, str):
        raise MalformedError("the Mobile Security Object has no docType")
    wanted = set(select)
    # The items and issuerAuth as issued, byte for byte: the verifier hashes what it receives.
    kept = [_Encoded(item.raw) for item in doc.items if item.namespace == doctype and item.identifier in wanted]
    namespaces_bytes = _tagged({})
    signature = cose.sign1(_device_authentication(session_transcript, doctype, namespaces_bytes), device_key,
                           tagged=False, detached=True)
    document = {"docType": doctype,
                "issuerSigned": {"nameSpaces": {doctype: kept}, "issuerAuth": _Encoded(doc.raw_auth)},
                "deviceSigned": {"nameSpaces": namespaces_bytes,
                                 "deviceAuth": {"deviceSignature": _Encoded(signature)}}}
    return cbor2.dumps({"version": "1.0", "documents": [document], "status": 0}, default=_write_encoded)


def verify_presentation(device_response: bytes, *, anchors: Sequence[Certificate], now: datetime,
                        session_transcript: bytes, expected_doctypes: Collection[str] | None = None,
                        skew: int = 60, chains: ChainValidator | None = None) -> VerifiedMdoc:
    """Verify a ``DeviceResponse`` with one document (HAIP) for this verifier's transcript (§7.4, §7.5)."""
    if len(device_response) > MAX_BYTES:
        raise MalformedError("DeviceResponse too large")
    response = _loads(device_response, "DeviceResponse")
    if not isinstance(response, Mapping) or response.get("version") != "1.0" or response.get("status") != 0:
        raise MalformedError("not a successful DeviceResponse version 1.0")
    documents = response.get("documents")
    if not isinstance(documents, list | tuple) or len(documents) != 1 or not isinstance(documents[0], Mapping):
        raise MalformedError("a DeviceResponse must hold exactly one document")
    document = documents[0]
    # The issuer-signed part is read again from the bytes received, so digests cover those bytes;
    # repeated keys are refused on the way, so both readings are of the same document.
    raw_document = _children(_map_fields(device_response, "DeviceResponse")["documents"], 4, "documents")[0]
    raw_issuer_signed = _map_fields(raw_document, "Document").get("issuerSigned")
    if raw_issuer_signed is None:
        raise MalformedError("the document has no issuerSigned")
    verified = _check_issuer_signed(_decode_issuer_signed(raw_issuer_signed), anchors=anchors, now=now,
                                    skew=skew, chains=chains)
    if document.get("docType") != verified.doctype:
        raise VctError("the document's docType differs from the one the issuer signed")
    if expected_doctypes is not None and verified.doctype not in expected_doctypes:
        raise VctError(f"document type {verified.doctype} was not expected")
    device_signed = document.get("deviceSigned")
    if not isinstance(device_signed, Mapping) or not isinstance(device_signed.get("deviceAuth"), Mapping):
        raise KbSignatureError("the document is not device-signed")
    namespaces_bytes = device_signed.get("nameSpaces")
    if not isinstance(namespaces_bytes, cbor2.CBORTag) or _untag(namespaces_bytes, "DeviceNameSpacesBytes") != {}:
        raise MalformedError("device-signed data elements are not accepted")
    signature = device_signed["deviceAuth"].get("deviceSignature")
    if signature is None:
        raise KbSignatureError("only deviceSignature is accepted (no deviceMac over OpenID4VP)")
    message = cose.decode_sign1(signature, understood=_DEVICE_AUTH_LABELS)
    if message.payload is not None:
        raise MalformedError("deviceSignature must have a detached payload")
    cose.verify_sign1(message, verified.device_key, error=KbSignatureError,
                      detached_payload=_device_authentication(session_transcript, verified.doctype, namespaces_bytes))
    return verified
