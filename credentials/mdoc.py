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
decoder therefore reads ``nameSpaces`` from the encoded bytes in one pass (:class:`_Walk`),
rather than from a decoded and re-encoded copy, and the wallet forwards each item and the
``issuerAuth`` byte for byte (:class:`_Encoded`). Element values are the credential model's JSON
values (strings, maps, arrays), as in the SD-JWT VC.

Reading (§7.2-§7.5, "Reading" below): every structure is read member by member, each defined
member with its CBOR type, and one the standard does not define is refused (MalformedError):

* None of these maps has a ``* tstr => any`` group in the CDDL, so none is open to extension,
  and each comes with its version ("1.0", the only one accepted): a member a later edition adds
  (a 2nd-edition ``zkDocuments``) comes with a version of its own, refused before it is read.
* Signed structures (the MSO and its maps, each IssuerSignedItem): a member the issuer signed
  but this reader does not understand may restrict the document, as the 2nd edition's ``status``
  does (a reader passing it over accepts a revoked mdoc); it is refused, as COSE ``crit`` is.
* The unsigned envelope (IssuerSigned, DeviceResponse, Document, DeviceSigned, DeviceAuth): no
  unknown member could change what is verified, yet none is standard either, and each defined
  one is read: ``documentErrors`` and ``errors`` (what was asked for and not returned) must have
  their shape and not contradict what the document holds; ``status`` must be the uint 0.
* Open by the CDDL, and so ignored with their shape checked: ``keyInfo`` (``{* int => any}``),
  the element values, the other labels of a COSE_Key or COSE header.
* A map repeating a key is refused at any depth (:func:`credentials.cose.cbor_decoder`), as are a
  ``uint`` given as CBOR true or past 64 bits (a bignum), and a ValidityInfo time in any form but
  tdate (tag 0, UTC, whole seconds; cbor2 reads tag 1, epoch time, as a datetime too).
* The MSO, of which no part is digested, is decoded as one item and read from the decoded maps
  (:func:`_read_mso`); the tags cbor2 reads as another part of the encoding or as their content
  alone (value sharing 28/29, string references 256/25, self-described CBOR 55799) are refused in it.
  The envelope and the items are read from the bytes (:class:`_Walk`): digests and the device
  signature cover them as received.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials import cose, ehic, pda1, pid
from credentials.errors import (
    AlgorithmError,
    ClaimError,
    CredentialError,
    DisclosureError,
    IssuerKeyError,
    KbSignatureError,
    MalformedError,
    ValidityError,
    VctError,
)
from credentials.jose import PrivateKey, PublicKey
from credentials.status_list import CWT, StatusReference
from credentials.x509 import (
    MAX_X5C_CERTS,
    ChainValidator,
    ValidatedChain,
    chain_ended_since,
    load_x5chain,
    validate_chain,
)

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
_TAG_CBOR_HEAD = b"\xd8\x18"


def _tagged(value: Any) -> cbor2.CBORTag:
    """``#6.24(bstr .cbor value)`` (standards §7.1)."""
    return cbor2.CBORTag(_TAG_CBOR, cbor2.dumps(value, canonical=True))


def _encode_tagged(value: Any) -> bytes:
    """``cbor2.dumps(_tagged(value))``, without cbor2's CBORTag encoding, several times slower."""
    return _TAG_CBOR_HEAD + cbor2.dumps(cbor2.dumps(value, canonical=True))


def _tag24_bytes(value: Any, what: str) -> bytes:
    """The byte string of a decoded ``#6.24(bstr .cbor X)`` (standards §7.1)."""
    if not isinstance(value, cbor2.CBORTag) or value.tag != _TAG_CBOR or not isinstance(value.value, bytes):
        raise MalformedError(f"{what} must be CBOR wrapped in tag 24")
    return value.value


def _untag(value: Any, what: str) -> Any:
    return _loads(_tag24_bytes(value, what), what)


def _loads(data: bytes, what: str) -> Any:
    """Exactly one well-formed CBOR data item: cbor2 ignores trailing bytes, we refuse them."""
    return _Walk(data).whole(what)


def _tag24_at(data: bytes, pos: int) -> tuple[int, int] | None:
    """Where X starts and ends if the item at ``pos`` is a ``#6.24(bstr .cbor X)`` (standards §7.1)
    whose byte string is of definite length and all there; None for any other shape, which the
    caller decodes (to refuse it, or to read an indefinite-length byte string from a copy)."""
    try:
        if data.startswith(_TAG_CBOR_HEAD, pos):  # the tag's shortest head, as encoders write it
            start = pos + 2
        else:
            major, tag, start = _head(data, pos)
            if major != 6 or tag != _TAG_CBOR:
                return None
        major, length, start = _head(data, start)
    except MalformedError:
        return None
    if major != 2 or length is None or start + length > len(data):
        return None
    return start, start + length


# ------------------------------------------------------------------ encoded bytes (RFC 8949 §3)
_BREAK = 0xFF
#: Reads the value at an offset of a :class:`_Walk`'s bytes: what to keep of it, and where it ends.
_Read = Callable[[int], tuple[Any, int]]


def _head(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """Major type, argument (None: indefinite length) and end offset of the head at ``pos`` (RFC 8949 §3)."""
    if pos >= len(data):
        raise MalformedError("truncated CBOR")
    first = data[pos]
    major, info = first >> 5, first & 0x1F
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


class _Tagged(NamedTuple):
    """Where a ``#6.24(bstr .cbor X)`` lies in a :class:`_Walk`'s bytes."""

    start: int
    end: int
    content: int  # where X starts (X ends at end); -1 for any other shape, then
    decoded: Any  # the item as cbor2 decoded it, for :meth:`_Walk.unwrap` to read the long way


class _Walk:
    """Received CBOR read in one pass, to learn where the parts a digest covers lie in the bytes
    as received (standards §7.1: "never re-encode received items before hashing").

    Items are decoded by cbor2's C decoder (:func:`credentials.cose.cbor_decoder`: no map repeating
    a key) from one stream over the bytes, whose position after an item is where the item ends.
    :meth:`whole` reads all the bytes as one item, as a check; the other methods then read parts of
    bytes that passed it (so well-formed and within cbor2's depth limit): the maps and arrays on
    the way down head by head, every other item with the decoder.
    """

    __slots__ = ("_decode", "_seek", "_tell", "data")

    def __init__(self, data: bytes) -> None:
        self.data = data
        stream = io.BytesIO(data)
        self._seek, self._tell, self._decode = stream.seek, stream.tell, cose.cbor_decoder(stream).decode

    def value(self, pos: int, what: str) -> tuple[Any, int]:
        """The item at ``pos``, decoded, and the offset just after it."""
        self._seek(pos)
        try:
            # Each decode starts afresh, so a shared-value reference (tag 29) cannot reach into a
            # sibling item: such input is refused here although the decoding as a whole took it.
            value = self._decode()
        except cose.DECODE_ERRORS as exc:
            raise MalformedError(f"{what} {cose.decode_fault(self.data, pos)}") from exc
        return value, self._tell()

    def whole(self, what: str) -> Any:
        """The one data item the bytes hold; cbor2 ignores bytes after it, they are refused here."""
        value, end = self.value(0, what)
        if end != len(self.data):
            raise MalformedError(f"{what} has trailing bytes")
        return value

    def span(self, pos: int) -> tuple[tuple[Any, int, int], int]:
        """The item at ``pos`` decoded, with its start and end offsets (a :data:`_Read`)."""
        value, end = self.value(pos, "an item")
        return (value, pos, end), end

    def tagged(self, pos: int, what: str = "an item") -> tuple[_Tagged, int]:
        """The ``#6.24(bstr .cbor X)`` at ``pos`` (standards §7.1), X not decoded yet, and the offset after it."""
        span = _tag24_at(self.data, pos)
        if span is not None:
            return _Tagged(pos, span[1], span[0], None), span[1]
        # Any other shape (an indefinite-length byte string, another tag, no tag, bytes missing) is
        # decoded now, to find its end or refuse it as before, and unwrapped the long way.
        decoded, end = self.value(pos, what)
        return _Tagged(pos, end, -1, decoded), end

    def unwrap(self, tagged: _Tagged, what: str) -> Any:
        """X of what :meth:`tagged` found, with the errors ``_untag(_loads(...))`` gives on its bytes.

        X is decoded where it lies in these bytes rather than from a copy of the byte string in a
        stream of its own; an X running past its byte string is refused, as the copy would be."""
        if tagged.content < 0:
            return _untag(tagged.decoded, what)
        value, after = self.value(tagged.content, what)
        if after > tagged.end:
            raise MalformedError(f"{what} is not valid CBOR")
        if after < tagged.end:
            raise MalformedError(f"{what} has trailing bytes")
        return value

    def array(self, pos: int, what: str, read: _Read) -> tuple[list[Any], int]:
        """What ``read`` keeps of each element of the array at ``pos``, and the offset after the array."""
        count, pos = self._container(pos, 4, what)
        elements: list[Any] = []
        if count is not None:
            for _ in range(count):
                element, pos = read(pos)
                elements.append(element)
            return elements, pos
        while not self._at_break(pos):
            element, pos = read(pos)
            elements.append(element)
        return elements, pos + 1

    def map(self, pos: int, what: str, descend: Callable[[Any], _Read | None]) -> tuple[dict[Any, Any], int]:
        """Key -> value of the map at ``pos``, and the offset after the map; a value whose key
        ``descend`` gives a reader for is what that reader keeps of it. A repeated key is refused
        (as the decoder did, reading these bytes as a whole first): this reading must be the one
        the checks saw."""
        count, pos = self._container(pos, 5, what)
        fields: dict[Any, Any] = {}
        # A repeated key is refused below, so the map holds one field per pair read.
        while len(fields) != count if count is not None else not self._at_break(pos):
            key, pos = self._key(pos, what)
            try:
                if key in fields:
                    raise MalformedError(f"{what} repeats the key {key!r}")
            except TypeError as exc:
                raise MalformedError(f"{what} has a key that is not a string or number") from exc
            read = descend(key)
            fields[key], pos = read(pos) if read is not None else self.value(pos, what)
        return fields, pos if count is not None else pos + 1

    def _key(self, pos: int, what: str) -> tuple[Any, int]:
        """The key at ``pos`` of the map ``what``, and the offset after it."""
        # A text string of under 256 bytes (member names, namespaces) read here, anything else decoded.
        data = self.data
        size = len(data)
        first = data[pos] if pos < size else 0
        if 0x60 <= first < 0x78:
            start, end = pos + 1, pos + 1 + first - 0x60
        elif first == 0x78 and pos + 1 < size:
            start, end = pos + 2, pos + 2 + data[pos + 1]
        else:
            return self.value(pos, f"a key of {what}")
        if end > size:
            return self.value(pos, f"a key of {what}")
        try:
            return data[start:end].decode("utf-8"), end  # as cbor2 decodes it
        except UnicodeDecodeError as exc:
            raise MalformedError(f"a key of {what} is not valid CBOR") from exc

    def _container(self, pos: int, major: int, what: str) -> tuple[int | None, int]:
        found, count, pos = _head(self.data, pos)
        if found != major:
            raise MalformedError(f"{what} must be {'an array' if major == 4 else 'a map'}")
        if count is not None and count * (2 if major == 5 else 1) > len(self.data) - pos:
            raise MalformedError(f"{what} is not one well-formed CBOR item")  # more items than bytes
        return count, pos

    def _at_break(self, pos: int) -> bool:
        """Whether an indefinite-length container's items end at ``pos`` with its break code."""
        return pos < len(self.data) and self.data[pos] == _BREAK


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
        # IssuerSignedItemBytes, #6.24(bstr), written once: what the digest covers is what is sent.
        # (The tag head and the byte string apart: cbor2 is several times slower through CBORTag.)
        item = _TAG_CBOR_HEAD + cbor2.dumps(encoded)
        items.append(item)
        digests[digest_id] = hashlib.sha256(item).digest()
    # The MSO's maps are written with their keys in canonical order (RFC 8949 §4.2.1: shorter
    # encoded key first), so its plain encoding is the canonical one _encode_tagged would make.
    mso: dict[str, Any] = {} if status is None else {"status": _canonical_order(status.to_claim())}
    mso |= {
        "docType": doctype,
        "version": "1.0",
        "validityInfo": {"signed": _tdate(signed), "validFrom": _tdate(valid_from or signed),
                         "validUntil": _tdate(valid_until)},
        "valueDigests": {doctype: digests},  # digest ids 0, 1, ...: ascending
        "deviceKeyInfo": {"deviceKey": cose.cose_key(device_key)},  # labels 1, -1, -2, -3: canonical
        "digestAlgorithm": "SHA-256",
    }
    payload = _TAG_CBOR_HEAD + cbor2.dumps(cbor2.dumps(mso, default=_write_encoded))
    issuer_auth = cose.sign1(payload, issuer_key, tagged=False, x5chain=_der_chain(tuple(x5chain)))
    # {"nameSpaces": {doctype: [items]}, "issuerAuth": ...}: a map of two pairs, with the items and
    # the COSE_Sign1 spliced in as encoded, not decoded and encoded again.
    return b"".join((b"\xa2", _NAMESPACES_KEY, b"\xa1", cbor2.dumps(doctype), _encode_head(4, len(items)), *items,
                     _ISSUER_AUTH_KEY, issuer_auth))


_NAMESPACES_KEY, _ISSUER_AUTH_KEY = cbor2.dumps("nameSpaces"), cbor2.dumps("issuerAuth")
#: Values whose plain cbor2 encoding is their canonical one (RFC 8949 §4.2.1).
_FLAT = frozenset({str, int, bool, bytes, type(None)})


def _encode_head(major: int, argument: int) -> bytes:
    """The shortest head for ``argument`` (RFC 8949 §3, §4.2.1), the one cbor2 writes."""
    if argument < 24:
        return bytes((major << 5 | argument,))
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << 8 * size:
            return bytes((major << 5 | info,)) + argument.to_bytes(size, "big")
    raise ValueError("a CBOR argument has at most 64 bits")


def _canonical_order(value: Any) -> Any:
    """``value`` made ready for cbor2's plain encoding (with ``default=_write_encoded``) to be the
    canonical one (RFC 8949 §4.2.1), at a fraction of the cost of ``canonical=True`` over all of
    it: a map with text keys gets them in canonical order (by encoded length, then bytewise, as
    their encodings sort); a part whose plain encoding may differ from the canonical one (a float,
    a map with other keys, a type of another kind) is encoded canonically on its own."""
    kind = type(value)
    if kind in _FLAT:
        return value
    if kind is dict and all(type(key) is str for key in value):
        return {key: _canonical_order(value[key]) for key in sorted(value, key=_text_key_order)}
    if kind is list or kind is tuple:
        return [_canonical_order(element) for element in value]
    return _Encoded(cbor2.dumps(value, canonical=True))


def _text_key_order(key: str) -> tuple[int, bytes]:
    encoded = key.encode("utf-8")
    return len(encoded), encoded


def _item_bytes(digest_id: int, random: bytes, identifier: str, value: Any) -> bytes:
    """IssuerSignedItem (ISO 18013-5 §8.3.2.1.2.2), canonical CBOR as :func:`_tagged` makes it."""
    # The four keys in canonical order: shorter encoded key first.
    return cbor2.dumps({"random": random, "digestID": digest_id, "elementValue": _canonical_order(value),
                        "elementIdentifier": identifier}, default=_write_encoded)


@lru_cache(maxsize=16)
def _x5c(ders: tuple[bytes, ...]) -> tuple[str, ...]:
    # A verifier meets the same few document signers' chains in document after document. Keyed by
    # the exact bytes (equal bytes, equal text), so a chain differing in any byte is encoded afresh.
    return tuple(base64.b64encode(der).decode("ascii") for der in ders)


@lru_cache(maxsize=16)
def _der_chain(chain: tuple[Certificate, ...]) -> list[bytes]:
    # The document signer's chain is the same for every mdoc it signs.
    return [c.public_bytes(serialization.Encoding.DER) for c in chain]


# ------------------------------------------------------------------------------------- reading
# Each structure of standards §7.2-§7.5 read member by member; see the module docstring, "Reading",
# for which members are refused and which ignored, and why.


#: What cbor2 decodes a CBOR map to (a frozendict inside a tag or as a map key), checked for as
#: these types: an isinstance check against Mapping goes through the ABC machinery, several times
#: slower, for every map of every document read.
_MAP = (dict, cbor2.frozendict)


class _Members:
    """The members the CDDL names for the map ``what`` (text keys): the ones it requires, and the
    ones it may hold besides."""

    __slots__ = ("_allowed", "_required", "required", "what")

    def __init__(self, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        self.what, self.required = what, required
        self._required, self._allowed = frozenset(required), frozenset(required + optional)

    def check(self, fields: Mapping[Any, Any]) -> None:
        """``fields`` holds only these members, and each required one; MalformedError naming the first
        member of ``fields`` not defined, else the first required one missing."""
        keys = fields.keys()
        # As a whole first, most often in one comparison: most maps pass.
        if keys == self._required or keys == self._allowed or (keys <= self._allowed and keys >= self._required):
            return
        for key in fields:
            if key not in self._allowed:
                raise MalformedError(f"{self.what} has a member the standard does not define: {key!r:.60}")
        for key in self.required:
            if key not in fields:
                raise MalformedError(f"{self.what} lacks {key}")


_UINT_END = 1 << 64


def _uint(value: Any) -> bool:
    """CDDL ``uint`` (RFC 8949 major type 0). Not CBOR true, which Python counts an int, nor past 64
    bits (a bignum, tag 2, which cbor2 reads as an int too)."""
    return type(value) is int and 0 <= value < _UINT_END


def _int(value: Any) -> bool:
    """CDDL ``int`` (major type 0 or 1), on the terms of :func:`_uint`."""
    return type(value) is int and -(1 << 64) <= value < 1 << 64


def _texts(value: Any) -> bool:
    """CDDL ``[+ tstr]``."""
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, str) for v in value)


class _Item(NamedTuple):  # a tuple: made once per returned element, so made cheaply
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
_ISSUER_SIGNED_MEMBERS = _Members("IssuerSigned", ("issuerAuth",), ("nameSpaces",))
_ITEM_MEMBERS = _Members("IssuerSignedItem", ("digestID", "random", "elementIdentifier", "elementValue"))


def _walk_issuer_signed(walk: _Walk, pos: int) -> tuple[dict[Any, Any], int]:
    """The fields of the ``IssuerSigned`` at ``pos``, its items found but not decoded yet (see
    :func:`_issuer_signed`), and the offset after it."""

    def entries(at: int) -> tuple[list[_Tagged], int]:
        return walk.array(at, "a namespace's IssuerSignedItemBytes", walk.tagged)

    def namespaces(at: int) -> tuple[dict[Any, list[_Tagged]], int]:
        return walk.map(at, "IssuerSigned nameSpaces", lambda _namespace: entries)

    return walk.map(pos, "IssuerSigned", {"nameSpaces": namespaces, "issuerAuth": walk.span}.get)


def _issuer_signed(walk: _Walk, fields: dict[Any, Any]) -> _IssuerSigned:
    """``IssuerSigned`` (§7.2: ``{? nameSpaces: {+ NameSpace => [+ IssuerSignedItemBytes]}, issuerAuth}``)
    from what :func:`_walk_issuer_signed` found; each item keeps the bytes it came in (its digest's input)."""
    _ISSUER_SIGNED_MEMBERS.check(fields)
    namespaces = fields.get("nameSpaces", {})
    if "nameSpaces" in fields and not namespaces:
        raise MalformedError("IssuerSigned nameSpaces must hold at least one namespace (or be left out)")
    items: list[_Item] = []
    for namespace, tagged_items in namespaces.items():
        if not isinstance(namespace, str) or not tagged_items:
            raise MalformedError("each namespace must list its IssuerSignedItemBytes")
        items += _items(walk, namespace, tagged_items)
    auth, start, stop = fields["issuerAuth"]
    if stop - start > MAX_BYTES:  # the limit decode_sign1 puts on the encoded message
        raise MalformedError("COSE message too large")
    # Taken as decoded on the way rather than decoded again from its bytes: the same reading.
    issuer_auth = cose.decoded_sign1(auth, understood=_ISSUER_AUTH_LABELS)
    return _IssuerSigned(tuple(items), issuer_auth, walk.data[start:stop])


def _items(walk: _Walk, namespace: str, tagged_items: list[_Tagged]) -> list[_Item]:
    """The IssuerSignedItems (§7.2) of ``namespace``, each with digestID uint, random bstr (16 bytes
    at least, standards §7.2), elementIdentifier tstr, elementValue any; nothing else."""
    items: list[_Item] = []
    data, check = walk.data, _ITEM_MEMBERS.check
    for tagged in tagged_items:
        item = walk.unwrap(tagged, "IssuerSignedItemBytes")
        if not isinstance(item, _MAP):
            raise MalformedError("IssuerSignedItem must be a map")
        check(item)
        digest_id, random, identifier = item["digestID"], item["random"], item["elementIdentifier"]
        # (_uint written out, as the loop runs once per element returned)
        if not (type(digest_id) is int and 0 <= digest_id < _UINT_END) or not isinstance(random, bytes) \
                or len(random) < 16 or not isinstance(identifier, str):
            raise MalformedError("IssuerSignedItem needs a digestID (uint), a random of 16 bytes or more and an "
                                 "elementIdentifier (text)")
        items.append(_Item(namespace, digest_id, identifier, item["elementValue"], data[tagged.start:tagged.end]))
    return items


def _decode_issuer_signed(issuer_signed: bytes) -> _IssuerSigned:
    """``IssuerSigned`` from its bytes, well-formed as a whole before any part is read."""
    walk = _Walk(issuer_signed)
    walk.whole("IssuerSigned")
    fields, _ = _walk_issuer_signed(walk, 0)
    return _issuer_signed(walk, fields)


class _Mso(NamedTuple):
    """A Mobile Security Object whose every member was read (:func:`_read_mso`)."""

    doctype: str
    algorithm: Callable[[bytes], Any]  # the digestAlgorithm's hashlib constructor
    digests: Mapping[str, Mapping[int, bytes]]  # valueDigests
    device_key: PublicKey
    signed: datetime
    valid_from: datetime
    valid_until: datetime
    status: StatusReference | None


_MSO_MEMBERS = _Members("MobileSecurityObject", ("version", "digestAlgorithm", "valueDigests", "deviceKeyInfo",
                                                  "docType", "validityInfo"), ("status",))
_VALIDITY_MEMBERS = _Members("validityInfo", ("signed", "validFrom", "validUntil"), ("expectedUpdate",))
_DEVICE_KEY_INFO_MEMBERS = _Members("deviceKeyInfo", ("deviceKey",), ("keyAuthorizations", "keyInfo"))
_KEY_AUTHORIZATIONS_MEMBERS = _Members("keyAuthorizations", (), ("nameSpaces", "dataElements"))
_STATUS_MEMBERS = _Members("status", (), ("status_list", "identifier_list"))
_STATUS_MECHANISMS = {"status_list": _Members("status status_list", ("idx", "uri"), ("certificate",)),
                      "identifier_list": _Members("status identifier_list", ("id", "uri"), ("certificate",))}
#: ISO 18013-5 §9.1.2.4: ValidityInfo's times without fractional seconds, in UTC written "Z".
_TDATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class _OtherTime(datetime):
    """A time cbor2 reads from another form than a tdate as §9.1.2.4 writes it: tag 1 (epoch time),
    or tag 0 with a UTC offset or fractional seconds. A datetime as cbor2 gives it, of a type of its
    own so that ValidityInfo, which holds tdates only, can refuse it (:data:`_MSO_TAGS`)."""

    __slots__ = ()


def _tdate_tag(content: Any, _immutable: bool) -> datetime:
    """Tag 0 in the MSO: a tdate in UTC with whole seconds gives a datetime, anything else an
    :class:`_OtherTime` (or cbor2's refusal)."""
    if type(content) is str and _TDATE.fullmatch(content):
        return datetime.fromisoformat(content)  # as cbor2 reads these 20 characters: UTC, whole seconds
    return _other_time(0, content)


def _epoch_tag(content: Any, _immutable: bool) -> datetime:
    """Tag 1 (epoch time) in the MSO: an :class:`_OtherTime`, never a tdate."""
    return _other_time(1, content)


def _other_time(tag: int, content: Any) -> _OtherTime:
    # cbor2's own reading of the tag and its refusals (a content of the wrong type), on the rare
    # time that is no tdate, by decoding the tagged content again with the default decoders.
    read = cbor2.loads(cbor2.dumps(cbor2.CBORTag(tag, content)))
    return _OtherTime(read.year, read.month, read.day, read.hour, read.minute, read.second, read.microsecond,
                      read.tzinfo, fold=read.fold)


def _refused_tag(tag: int, meaning: str) -> cose.TagDecoder:
    def refuse(_content: Any, _immutable: bool) -> Any:
        raise MalformedError(f"holds tag {tag} ({meaning}), which a Mobile Security Object may not")
    return refuse


#: cbor2's semantic decoders for the MSO (:func:`_read_mso`), which is decoded as one item. Tags 0
#: and 1 as above. cbor2 reads value sharing (28, 29) and string references (256, 25) as another part
#: of the encoding, and self-described CBOR (55799) as its content alone: in the MSO decoded whole
#: they would let one member stand for another, or a validityInfo map or time be wrapped unseen.
#: No mdoc uses them (the MSO is written plainly), and a reader that does not implement them reads
#: another MSO: they are refused, as a repeated key is.
_MSO_TAGS: dict[int, cose.TagDecoder] = {
    0: _tdate_tag, 1: _epoch_tag, 25: _refused_tag(25, "a string reference"),
    28: _refused_tag(28, "a shared value"), 29: _refused_tag(29, "a shared-value reference"),
    256: _refused_tag(256, "a string reference namespace"), 55799: _refused_tag(55799, "self-described CBOR"),
}


def _read_mso(payload: bytes) -> _Mso:
    """The ``MobileSecurityObject`` of ``MobileSecurityObjectBytes`` (issuerAuth's payload, §7.3),
    every member read: the signed structure holds nothing this reader passes over.

    No digest is taken over a part of the MSO, so it is decoded as one item by cbor2 (:data:`_MSO_TAGS`:
    each map key once, tdates told from other times) and the decoded maps are read, member by member."""
    what = "MobileSecurityObjectBytes"
    span = _tag24_at(payload, 0)
    if span is None:  # another shape: decoded, to refuse it or to read its byte string from a copy
        data, start = _tag24_bytes(_loads(payload, what), what), 0
    elif span[1] != len(payload):
        raise MalformedError(f"{what} has trailing bytes")
    else:  # X read where it lies, running to the end of the payload
        data, start = payload, span[0]
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        mso = cose.cbor_decoder(stream, tags=_MSO_TAGS).decode()
    except cose.DECODE_ERRORS as exc:
        refused = exc.__cause__  # what a decoder of _MSO_TAGS raised, cbor2's error wrapping it
        reason = str(refused) if isinstance(refused, MalformedError) else cose.decode_fault(data, start)
        raise MalformedError(f"{what} {reason}") from exc
    if stream.tell() != len(data):
        raise MalformedError(f"{what} has trailing bytes")
    if not isinstance(mso, _MAP):
        raise MalformedError("MobileSecurityObject must be a map")
    _MSO_MEMBERS.check(mso)
    if mso["version"] != "1.0":
        raise MalformedError("the Mobile Security Object is not version 1.0")
    name = mso["digestAlgorithm"]
    # A tstr (ISO 18013-5 §9.1.2.4): an array or map is not looked up (unhashable), it is refused.
    algorithm = _DIGEST_ALGORITHMS.get(name) if isinstance(name, str) else None
    if algorithm is None:
        raise AlgorithmError(f"digestAlgorithm {name!r:.40} is not accepted")
    if not isinstance(mso["docType"], str):
        raise MalformedError("the Mobile Security Object's docType must be text")
    validity = mso["validityInfo"]
    if not isinstance(validity, _MAP):
        raise MalformedError("validityInfo must be a map")
    _VALIDITY_MEMBERS.check(validity)
    for member, time in validity.items():
        # A datetime from tag 0 in the tdate form (_tdate_tag); an _OtherTime, a date (tags 100,
        # 1004) or anything else is refused.
        if type(time) is not datetime:
            raise MalformedError(f"validityInfo {member} must be a tdate in UTC without fractional seconds "
                                 "(ISO 18013-5 §9.1.2.4)")
    status = _status(mso["status"]) if "status" in mso else None
    return _Mso(mso["docType"], algorithm, _value_digests(mso["valueDigests"], algorithm().digest_size),
                _device_key(mso["deviceKeyInfo"]), validity["signed"], validity["validFrom"], validity["validUntil"],
                status)


def _value_digests(value: Any, size: int) -> Mapping[str, Mapping[int, bytes]]:
    """ValueDigests (§7.3): ``{+ NameSpace => {+ DigestID (uint) => Digest}}``, each digest as long
    as the digestAlgorithm's."""
    if not isinstance(value, _MAP) or not value:
        raise MalformedError("valueDigests must map at least one namespace to its digests")
    for namespace, digests in value.items():
        # _uint written out: it runs once per digest the issuer signed.
        if not isinstance(namespace, str) or not isinstance(digests, _MAP) or not digests or not all(
                type(i) is int and 0 <= i < _UINT_END and isinstance(d, bytes) and len(d) == size
                for i, d in digests.items()):
            raise MalformedError(f"valueDigests must map each namespace to digest IDs (uint) and {size}-byte digests")
    return value


def _device_key(value: Any) -> PublicKey:
    """DeviceKeyInfo (§7.3): deviceKey, ? keyAuthorizations, ? keyInfo.

    keyAuthorizations lists what the device key may sign in DeviceSigned; no device-signed element
    is accepted here (:func:`verify_presentation`), so none can go beyond it: its shape is read,
    not acted on. keyInfo is ``{* int => any}``, open by the CDDL for key metadata: not acted on."""
    if not isinstance(value, _MAP):
        raise MalformedError("deviceKeyInfo must be a map")
    _DEVICE_KEY_INFO_MEMBERS.check(value)
    if "keyAuthorizations" in value:
        authorized = value["keyAuthorizations"]
        if not isinstance(authorized, _MAP) or not authorized:  # 2nd ed.: "shall not be empty"
            raise MalformedError("keyAuthorizations must be a non-empty map")
        _KEY_AUTHORIZATIONS_MEMBERS.check(authorized)
        if "nameSpaces" in authorized and not _texts(authorized["nameSpaces"]):
            raise MalformedError("keyAuthorizations nameSpaces must list namespaces")
        elements = authorized.get("dataElements")
        if "dataElements" in authorized and not (isinstance(elements, _MAP) and elements and all(
                isinstance(namespace, str) and _texts(ids) for namespace, ids in elements.items())):
            raise MalformedError("keyAuthorizations dataElements must map namespaces to element identifiers")
    if "keyInfo" in value and (not isinstance(info := value["keyInfo"], _MAP)
                               or not all(_int(label) for label in info)):
        raise MalformedError("keyInfo must be a map with integer labels")
    return cose.public_from_cose_key(value["deviceKey"])


def _status(value: Any) -> StatusReference:
    """Status (§7.3, ISO 18013-5 2nd ed.): ``? status_list {idx, uri, ? certificate}``, ``?
    identifier_list {id, uri, ? certificate}``. The Token Status List is the one checked, fetched in
    its CWT form; an identifier list beside it is read for its shape (HAIP lets the issuer choose the
    mechanism, and one that lists both keeps both); one alone cannot be checked here, and is refused."""
    if not isinstance(value, _MAP):
        raise MalformedError("the Mobile Security Object's status must be a map")
    _STATUS_MEMBERS.check(value)
    for name, members in _STATUS_MECHANISMS.items():
        if name not in value:
            continue
        info = value[name]
        if not isinstance(info, _MAP):
            raise MalformedError(f"status {name} must be a map")
        members.check(info)
        if not isinstance(info.get("certificate", b""), bytes) or not isinstance(info["uri"], str) \
                or (name == "identifier_list" and not isinstance(info["id"], bytes)):
            raise MalformedError(f"status {name} has a member of the wrong type")
    return StatusReference.from_claim(value, token_form=CWT)  # idx and uri checked there


class _Presented(NamedTuple):
    """The one Document of a DeviceResponse (§7.5), read and not verified yet."""

    doctype: str
    issuer_signed: _IssuerSigned
    #: DeviceNameSpacesBytes as received (the device signed them) and the deviceSignature, None for a
    #: deviceMac; None without deviceSigned. Both refused after the issuer checks (KbSignatureError).
    device_signed: tuple[bytes, cose.UnverifiedSign1 | None] | None


#: DeviceResponse status (§7.5).
_STATUS = {10: "general error", 11: "CBOR decoding error", 12: "CBOR validation error"}
_DEVICE_RESPONSE_MEMBERS = _Members("DeviceResponse", ("version", "status"), ("documents", "documentErrors"))
_DOCUMENT_MEMBERS = _Members("Document", ("docType", "issuerSigned"), ("deviceSigned", "errors"))
_DEVICE_SIGNED_MEMBERS = _Members("DeviceSigned", ("nameSpaces", "deviceAuth"))
_DEVICE_AUTH_MEMBERS = _Members("deviceAuth", (), ("deviceSignature", "deviceMac"))


def _read_device_response(data: bytes) -> _Presented:
    """``DeviceResponse = {version: "1.0", ? documents: [+ Document], ? documentErrors, status: uint}``
    holding exactly one document (HAIP), its parts found in the bytes as received."""
    walk = _Walk(data)
    walk.whole("DeviceResponse")

    def device_signed(at: int) -> tuple[dict[Any, Any], int]:
        return walk.map(at, "DeviceSigned", {"nameSpaces": walk.span}.get)

    def document(at: int) -> tuple[dict[Any, Any], int]:
        return walk.map(at, "Document", {"issuerSigned": lambda pos: _walk_issuer_signed(walk, pos),
                                         "deviceSigned": device_signed}.get)

    fields, _ = walk.map(0, "DeviceResponse", {"documents": lambda at: walk.array(at, "documents", document)}.get)
    _DEVICE_RESPONSE_MEMBERS.check(fields)
    if fields["version"] != "1.0":
        raise MalformedError("the DeviceResponse is not version 1.0")
    status = fields["status"]
    if not _uint(status) or status != 0:
        meaning = _STATUS.get(status, "not OK") if _uint(status) else "not a uint"
        raise MalformedError(f"the DeviceResponse status is {status!r:.20} ({meaning}), not the uint 0")
    not_returned = _document_errors(fields["documentErrors"]) if "documentErrors" in fields else {}
    documents = fields.get("documents")
    if documents is None and not_returned:
        raise ClaimError("the wallet returned no document: " + ", ".join(
            f"{doctype:.60} was not returned (error code {code})" for doctype, code in not_returned.items()))
    if documents is None or len(documents) != 1:
        raise MalformedError("a DeviceResponse must hold exactly one document")
    return _document(walk, documents[0], not_returned)


def _document_errors(value: Any) -> dict[str, int]:
    """documentErrors (§7.5): ``[+ {DocType => ErrorCode}]``, the document types asked for and not returned."""
    if not isinstance(value, list | tuple) or not value:
        raise MalformedError("documentErrors must be a non-empty array")
    out: dict[str, int] = {}
    for entry in value:
        if not isinstance(entry, _MAP) or len(entry) != 1:
            raise MalformedError("each entry of documentErrors maps one docType to its error code")
        ((doctype, code),) = entry.items()
        if not isinstance(doctype, str) or not _int(code) or doctype in out:
            raise MalformedError("documentErrors must map each docType (text) once to an error code (int)")
        out[doctype] = code
    return out


def _document(walk: _Walk, fields: dict[Any, Any], not_returned: Mapping[str, int]) -> _Presented:
    """``Document = {docType, issuerSigned, deviceSigned, ? errors}`` (§7.5). A Document without
    deviceSigned is read, and refused as not device-signed once the issuer's part was checked."""
    _DOCUMENT_MEMBERS.check(fields)
    doctype = fields["docType"]
    if not isinstance(doctype, str):
        raise MalformedError("the Document's docType must be text")
    if doctype in not_returned:
        raise MalformedError("documentErrors says the document it holds was not returned")
    issuer_signed = _issuer_signed(walk, fields["issuerSigned"])
    if "errors" in fields:
        _errors(fields["errors"], {(item.namespace, item.identifier) for item in issuer_signed.items})
    device_signed = _device_signed(walk, fields["deviceSigned"]) if "deviceSigned" in fields else None
    return _Presented(doctype, issuer_signed, device_signed)


def _errors(value: Any, returned: Collection[tuple[str, str]]) -> None:
    """Errors (§7.5): ``{+ NameSpace => {+ DataElementIdentifier => ErrorCode}}``, the elements asked
    for and not returned; naming one the document returns contradicts it."""
    if not isinstance(value, _MAP) or not value:
        raise MalformedError("the Document's errors must be a non-empty map")
    for namespace, elements in value.items():
        if not isinstance(namespace, str) or not isinstance(elements, _MAP) or not elements \
                or not all(isinstance(name, str) and _int(code) for name, code in elements.items()):
            raise MalformedError("the Document's errors must map namespaces to element identifiers and error codes")
        if any((namespace, name) in returned for name in elements):
            raise MalformedError("the Document's errors say an element it returns was not returned")


def _device_signed(walk: _Walk, fields: dict[Any, Any]) -> tuple[bytes, cose.UnverifiedSign1 | None]:
    """``DeviceSigned = {nameSpaces: DeviceNameSpacesBytes, deviceAuth}``, ``DeviceAuth =
    {deviceSignature} / {deviceMac}`` (§7.5); no device-signed element is accepted."""
    _DEVICE_SIGNED_MEMBERS.check(fields)
    namespaces, start, end = fields["nameSpaces"]
    content = _tag24_bytes(namespaces, "DeviceNameSpacesBytes")
    # The empty map, the one content accepted, comes as its one byte from every wallet we know;
    # any other encoding of it is decoded.
    if content != b"\xa0" and _loads(content, "DeviceNameSpacesBytes") != {}:
        raise MalformedError("device-signed data elements are not accepted")
    auth = fields["deviceAuth"]
    if not isinstance(auth, _MAP) or len(auth) != 1:
        raise MalformedError("deviceAuth must hold exactly one of deviceSignature and deviceMac")
    _DEVICE_AUTH_MEMBERS.check(auth)
    if "deviceMac" in auth:
        return walk.data[start:end], None
    # A COSE_Sign1 array, as issuerAuth: not a byte string holding one's encoding.
    signature = cose.decoded_sign1(auth["deviceSignature"], understood=_DEVICE_AUTH_LABELS)
    if signature.payload is not None:
        raise MalformedError("deviceSignature must have a detached payload")
    return walk.data[start:end], signature


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
    #: Set only with ``allow_expired_signer``: the x5chain failed at ``now`` because a certificate of it
    #: ended then (this moment), and it validated at the MSO's ``signed`` time
    #: (:func:`credentials.x509.chain_ended_since`); ``issuer_chain`` is the path as it was then.
    signer_expired_at: datetime | None = None


def _check_issuer_signed(doc: _IssuerSigned, *, anchors: Sequence[Certificate], now: datetime,
                         skew: int, chains: ChainValidator | None = None,
                         allow_expired_signer: bool = False) -> VerifiedMdoc:
    """§7.4 steps 1-4. ``chains`` lets a long-lived verifier reuse chain validations (as for SD-JWT VC).

    ``allow_expired_signer``: a chain that fails at ``now`` only because a certificate of it ended
    after the MSO's ``signed`` time (it validates then, :func:`chain_ended_since`) does not stop the
    check; every other step runs as without it (§9.3.1 too: ``signed`` within the document signer's
    validity, ``validUntil`` after ``now``), and the result says when the chain ended. ``signed`` is
    the key holder's to choose, so the caller must not call such a document valid."""
    ders = doc.issuer_auth.x5chain
    if len(ders) > MAX_X5C_CERTS:
        raise MalformedError(f"x5chain has more than {MAX_X5C_CERTS} certificates")

    def validate(at: datetime) -> ValidatedChain:
        if chains is not None:
            return chains(_x5c(tuple(ders)), anchors, now=at)
        return validate_chain(load_x5chain(ders), anchors, now=at)

    signer_expired_at: datetime | None = None
    claimed: datetime | None = None
    try:
        validated = validate(now)
    except IssuerKeyError:
        ended = _ended_at_signing(doc.issuer_auth.payload, validate, now) if allow_expired_signer else None
        if ended is None:
            raise
        claimed, validated, signer_expired_at = ended
    issuer_key = validated.leaf.public_key()
    if not isinstance(issuer_key, PublicKey):
        raise IssuerKeyError("the document signer does not hold an EC key")
    mso = _read_mso(cose.verify_sign1(doc.issuer_auth, issuer_key))
    if claimed is not None and mso.signed != claimed:  # the chain was judged at another time than the one signed
        raise IssuerKeyError("the MSO's signed time is not the one its certificate chain was judged at")
    _check_validity(mso.signed, mso.valid_from, mso.valid_until, validated.leaf, now=now, skew=skew)
    claims: dict[str, dict[str, Any]] = {}
    seen: set[tuple[str, int]] = set()
    digests, algorithm = mso.digests, mso.algorithm
    for namespace, digest_id, identifier, value, raw in doc.items:
        namespace_digests = digests.get(namespace)
        expected = namespace_digests.get(digest_id) if namespace_digests is not None else None
        if (namespace, digest_id) in seen or expected is None or algorithm(raw).digest() != expected:
            raise DisclosureError(f"data element {namespace}/{identifier} does not match its digest")
        seen.add((namespace, digest_id))
        returned = claims.setdefault(namespace, {})
        if identifier in returned:
            raise DisclosureError(f"data element {identifier} is returned twice")
        returned[identifier] = value
    return VerifiedMdoc(mso.doctype, claims, mso.device_key, validated, mso.signed, mso.valid_from, mso.valid_until,
                        mso.status, signer_expired_at)


def _ended_at_signing(payload: bytes | None, validate: Callable[[datetime], ValidatedChain],
                      now: datetime) -> tuple[datetime, ValidatedChain, datetime] | None:
    """The MSO's ``signed`` time (read from issuerAuth's payload before its signature is checked, which
    comes next with the key of the chain returned), the chain as it validated then and when it
    ended, if it failed at ``now`` only for a certificate's end (:func:`chain_ended_since`); else None."""
    if payload is None:
        return None
    try:
        signed = _read_mso(payload).signed
    except CredentialError:
        return None
    ended = chain_ended_since(validate, issued_at=signed, now=now)
    return None if ended is None else (signed, *ended)


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


#: The head of the four-element DeviceAuthentication array and its context string (§7.5).
_DEVICE_AUTHENTICATION_HEAD = _encode_head(4, 4) + cbor2.dumps("DeviceAuthentication")


def _device_authentication(session_transcript: bytes, doctype: str, namespaces_bytes: cbor2.CBORTag | bytes) -> bytes:
    """``DeviceAuthenticationBytes`` (§7.5), the detached payload of ``deviceSignature``.

    ``namespaces_bytes`` is the ``DeviceNameSpacesBytes`` to put in it: encoded bytes as the
    holder sent them (the verifier: a wallet that wrote the tag or the byte string's head in a
    longer form signed those bytes), or the tag to encode (the holder)."""
    transcript = _loads(session_transcript, "SessionTranscript")
    item = namespaces_bytes if isinstance(namespaces_bytes, bytes) else cbor2.dumps(namespaces_bytes, canonical=True)
    # ["DeviceAuthentication", SessionTranscript, DocType, DeviceNameSpacesBytes], canonical, written
    # a part at a time: the array's head and context string are fixed, the item goes in as it is.
    authentication = b"".join((_DEVICE_AUTHENTICATION_HEAD, cbor2.dumps(transcript, canonical=True),
                               cbor2.dumps(doctype), item))
    return _TAG_CBOR_HEAD + cbor2.dumps(authentication)


def present(issuer_signed: bytes, *, select: Collection[str], device_key: PrivateKey,
            session_transcript: bytes) -> bytes:
    """A ``DeviceResponse`` (§7.5) with only the ``select``-ed data elements of the mdoc's doctype
    namespace, device-signed over ``session_transcript``; the items keep their issued bytes."""
    doc = _decode_issuer_signed(issuer_signed)
    payload = doc.issuer_auth.payload
    if payload is None:
        raise MalformedError("issuerAuth has no payload")
    doctype = _read_mso(payload).doctype
    wanted = set(select)
    # The items and issuerAuth as issued, byte for byte: the verifier hashes what it receives.
    kept = [_Encoded(item.raw) for item in doc.items if item.namespace == doctype and item.identifier in wanted]
    namespaces_bytes = _tagged({})
    signature = cose.sign1(_device_authentication(session_transcript, doctype, namespaces_bytes), device_key,
                           tagged=False, detached=True)
    # No element chosen: no nameSpaces (optional), rather than an empty array the CDDL does not allow.
    shown = {"nameSpaces": {doctype: kept}} if kept else {}
    document = {"docType": doctype,
                "issuerSigned": {**shown, "issuerAuth": _Encoded(doc.raw_auth)},
                "deviceSigned": {"nameSpaces": namespaces_bytes,
                                 "deviceAuth": {"deviceSignature": _Encoded(signature)}}}
    return cbor2.dumps({"version": "1.0", "documents": [document], "status": 0}, default=_write_encoded)


def verify_presentation(device_response: bytes, *, anchors: Sequence[Certificate], now: datetime,
                        session_transcript: bytes, expected_doctypes: Collection[str] | None = None,
                        skew: int = 60, chains: ChainValidator | None = None,
                        allow_expired_signer: bool = False) -> VerifiedMdoc:
    """Verify a ``DeviceResponse`` with one document (HAIP) for this verifier's transcript (§7.4, §7.5).
    ``allow_expired_signer``: as :func:`_check_issuer_signed` says (:attr:`VerifiedMdoc.signer_expired_at`)."""
    if len(device_response) > MAX_BYTES:
        raise MalformedError("DeviceResponse too large")
    presented = _read_device_response(device_response)
    verified = _check_issuer_signed(presented.issuer_signed, anchors=anchors, now=now, skew=skew, chains=chains,
                                    allow_expired_signer=allow_expired_signer)
    if presented.doctype != verified.doctype:
        raise VctError("the document's docType differs from the one the issuer signed")
    if expected_doctypes is not None and verified.doctype not in expected_doctypes:
        raise VctError(f"document type {verified.doctype} was not expected")
    if presented.device_signed is None:
        raise KbSignatureError("the document is not device-signed")
    namespaces_bytes, signature = presented.device_signed
    if signature is None:
        raise KbSignatureError("only deviceSignature is accepted (no deviceMac over OpenID4VP)")
    # Over the DeviceNameSpacesBytes exactly as received, as the wallet signed them.
    detached = _device_authentication(session_transcript, verified.doctype, namespaces_bytes)
    cose.verify_sign1(signature, verified.device_key, error=KbSignatureError, detached_payload=detached)
    return verified
