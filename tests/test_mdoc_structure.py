"""ISO 18013-5 structures read member by member (standards §7.2-§7.5; credentials.mdoc "Reading").

Every map of the CDDL is closed (none has a ``* tstr => any`` group), so a member the standard
does not define is refused, in the issuer-signed structures (MSO, IssuerSignedItem) and in the
envelope around them alike; the members it does define are read with their CBOR types, including
the optional ones (``documentErrors``, ``errors``, ``keyAuthorizations``, ``expectedUpdate``,
``status``). A repeated map key is refused at any depth. Each hostile structure is signed by the
genuine document signer (or, in the envelope, device-signed by the genuine holder key), so the
structure check, not a signature, is what refuses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials import cose, mdoc
from credentials.errors import AlgorithmError, ClaimError, CredentialError, KbSignatureError, MalformedError, VctError
from credentials.institutions import demo_entity
from credentials.jose import PrivateKey, generate_key, sign_raw
from credentials.pki import create_entity_ca, issue_document_signer

NOW = datetime.now(UTC).replace(microsecond=0)
DOCTYPE = mdoc.DOCTYPES["pda1"]
CLAIMS = {"document_number": "A1-2026-0001", "legislation_country": "LV",
          "employer": {"id": "40003000000", "name": "Baltic Build"}}
HOLDER = generate_key()
TRANSCRIPT = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n-structure", jwk_thumbprint=None,
                                               response_uri="https://verifier.example/responses/1")
Change = Callable[[Any], Any]


@dataclass(frozen=True)
class Signer:
    key: PrivateKey
    leaf: Certificate
    anchor: Certificate


@pytest.fixture(scope="module")
def signer() -> Signer:
    entity = demo_entity("LV:VSAA")
    ca_key, ca = create_entity_ca(entity, now=NOW - timedelta(days=1))
    key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=1))
    return Signer(key, leaf, ca)


class Raw:
    """CBOR bytes written as they are (an item or a signature exactly as signed)."""

    def __init__(self, data: bytes) -> None:
        self.data = data


def _splice(encoder: cbor2.CBOREncoder, value: Any) -> None:
    encoder.write(value.data)


def encode(value: Any) -> bytes:
    return cbor2.dumps(value, default=_splice)


def doubled(mapping: dict[Any, Any]) -> Raw:
    """``mapping`` (fewer than 23 pairs) with its first key written twice, the first time with ``None``."""
    pairs = list(mapping.items())
    return Raw(bytes([0xA0 + len(pairs) + 1]) + encode(pairs[0][0]) + encode(None)
               + b"".join(encode(k) + encode(v) for k, v in pairs))


def item(digest_id: Any, identifier: Any, value: Any) -> dict[Any, Any]:
    return {"digestID": digest_id, "random": bytes([7]) * 16, "elementIdentifier": identifier, "elementValue": value}


def genuine_items() -> list[Any]:
    return [item(i, name, value) for i, (name, value) in enumerate(CLAIMS.items())]


def genuine_mso(digests: dict[int, bytes]) -> dict[str, Any]:
    return {"version": "1.0", "digestAlgorithm": "SHA-256", "valueDigests": {DOCTYPE: digests},
            "deviceKeyInfo": {"deviceKey": cose.cose_key(HOLDER.public_key())}, "docType": DOCTYPE,
            "validityInfo": {"signed": NOW, "validFrom": NOW, "validUntil": NOW + timedelta(days=30)}}


def issuer_signed(signer: Signer, *, items: list[Any] | None = None, mso: Change | None = None,
                  top: Change | None = None) -> bytes:
    """An IssuerSigned over ``items`` (maps, or Raw encodings), the MSO holding their digests (as
    ``mso`` changes it) signed by the genuine document signer, the outer map as ``top`` changes it."""
    wire = [Raw(b"\xd8\x18" + cbor2.dumps(encode(x))) for x in (genuine_items() if items is None else items)]
    body = genuine_mso({i: hashlib.sha256(w.data).digest() for i, w in enumerate(wire)})
    body = mso(body) if mso is not None else body
    payload = b"\xd8\x18" + cbor2.dumps(encode(body))
    auth = cose.sign1(payload, signer.key, tagged=False,
                      x5chain=[signer.leaf.public_bytes(serialization.Encoding.DER)])
    outer: Any = {"nameSpaces": {DOCTYPE: wire}, "issuerAuth": Raw(auth)}
    return encode(top(outer) if top is not None else outer)


def verify_issued(signer: Signer, data: bytes) -> mdoc.VerifiedMdoc:
    return mdoc.verify_issuer_signed(data, anchors=[signer.anchor], now=NOW)


def device_response(signer: Signer, *, issued: bytes | None = None, response: Change | None = None,
                    document: Change | None = None, device_signed: Change | None = None) -> bytes:
    """The holder's genuine DeviceResponse for two elements, its unsigned envelope then changed."""
    presented = mdoc.present(issued if issued is not None else issuer_signed(signer),
                             select=("document_number", "legislation_country"), device_key=HOLDER,
                             session_transcript=TRANSCRIPT)
    decoded = cbor2.loads(presented)
    doc = decoded["documents"][0]
    if device_signed is not None:
        doc["deviceSigned"] = device_signed(doc["deviceSigned"])
    if document is not None:
        decoded["documents"][0] = document(doc)
    return encode(response(decoded) if response is not None else decoded)


def verify_presented(signer: Signer, data: bytes) -> mdoc.VerifiedMdoc:
    return mdoc.verify_presentation(data, anchors=[signer.anchor], now=NOW + timedelta(seconds=5),
                                    session_transcript=TRANSCRIPT)


def with_(**members: Any) -> Change:
    return lambda mapping: {**mapping, **members}


def without(name: str) -> Change:
    return lambda mapping: {k: v for k, v in mapping.items() if k != name}


def inside(name: str, change: Change) -> Change:
    return lambda mapping: {**mapping, name: change(mapping[name])}


def test_the_genuine_structures_verify(signer: Signer) -> None:
    """The builders' unchanged output passes: every refusal below is the change's doing."""
    assert verify_issued(signer, issuer_signed(signer)).claims == {DOCTYPE: CLAIMS}
    assert verify_presented(signer, device_response(signer)).claims == {
        DOCTYPE: {"document_number": CLAIMS["document_number"], "legislation_country": "LV"}}


# --- the Mobile Security Object (signed, §7.3) ------------------------------------------------------


@pytest.mark.parametrize("change", [
    with_(extra="x"),
    with_(issuerName="LV:VSAA"),
    lambda mso: {**mso, 1: "x"},
    lambda mso: {**mso, b"docType": DOCTYPE},
    inside("validityInfo", with_(revokedAfter=NOW)),
    inside("deviceKeyInfo", with_(trust="full")),
    inside("deviceKeyInfo", with_(keyAuthorizations={"nameSpaces": [DOCTYPE], "everything": True})),
    with_(status={"status_list": {"idx": 1, "uri": "https://issuer.example/status/1"}, "suspended": True}),
    with_(status={"status_list": {"idx": 1, "uri": "https://issuer.example/status/1", "ttl": 5}}),
], ids=["text", "plausible-name", "integer-key", "bytes-key", "validityInfo", "deviceKeyInfo", "keyAuthorizations",
        "status", "status_list"])
def test_a_member_the_standard_does_not_define_in_the_signed_mso_is_refused(signer: Signer, change: Change) -> None:
    """Signed by the issuer but not understood here: it may restrict the document (as ``status``,
    added by the 2nd edition, does), so it is refused, never passed over."""
    with pytest.raises(MalformedError, match="does not define"):
        verify_issued(signer, issuer_signed(signer, mso=change))


@pytest.mark.parametrize("name", ["version", "valueDigests", "deviceKeyInfo", "docType", "validityInfo"])
def test_an_mso_without_a_required_member_is_refused(signer: Signer, name: str) -> None:
    with pytest.raises(MalformedError, match=f"lacks {name}"):
        verify_issued(signer, issuer_signed(signer, mso=without(name)))


@pytest.mark.parametrize("change", [
    with_(version=1.0), with_(version=b"1.0"), with_(version="1.1"),
    with_(docType=DOCTYPE.encode()), with_(docType=[DOCTYPE]), with_(docType=cbor2.CBORTag(32, DOCTYPE)),
    with_(valueDigests=[]), with_(valueDigests={}), with_(valueDigests={DOCTYPE: []}),
    with_(valueDigests={DOCTYPE: {}}),
    lambda mso: {**mso, "valueDigests": {DOCTYPE.encode(): mso["valueDigests"][DOCTYPE]}},
    lambda mso: {**mso, "valueDigests": {DOCTYPE: {**mso["valueDigests"][DOCTYPE], -1: b"\0" * 32}}},
    lambda mso: {**mso, "valueDigests": {DOCTYPE: {**mso["valueDigests"][DOCTYPE], "9": b"\0" * 32}}},
    lambda mso: {**mso, "valueDigests": {DOCTYPE: {**mso["valueDigests"][DOCTYPE], 2**64: b"\0" * 32}}},
    lambda mso: {**mso, "valueDigests": {DOCTYPE: {**mso["valueDigests"][DOCTYPE], 9: "00" * 32}}},
    lambda mso: {**mso, "valueDigests": {DOCTYPE: {**mso["valueDigests"][DOCTYPE], 9: b"\0" * 31}}},
    with_(deviceKeyInfo=[cose.cose_key(HOLDER.public_key())]),
    inside("deviceKeyInfo", with_(keyAuthorizations=[DOCTYPE])),
    inside("deviceKeyInfo", with_(keyAuthorizations={})),
    inside("deviceKeyInfo", with_(keyAuthorizations={"nameSpaces": []})),
    inside("deviceKeyInfo", with_(keyAuthorizations={"nameSpaces": [1]})),
    inside("deviceKeyInfo", with_(keyAuthorizations={"dataElements": {DOCTYPE: "document_number"}})),
    inside("deviceKeyInfo", with_(keyAuthorizations={"dataElements": {DOCTYPE: []}})),
    inside("deviceKeyInfo", with_(keyInfo=[1])),
    inside("deviceKeyInfo", with_(keyInfo={"label": 1})),
    with_(validityInfo=[NOW, NOW, NOW]),
    with_(status=[]),
    with_(status={"identifier_list": {"id": "not bytes", "uri": "https://issuer.example/ids/1"}}),
], ids=["version-float", "version-bytes", "version-1.1", "docType-bytes", "docType-array", "docType-tagged",
        "valueDigests-array", "valueDigests-empty", "digestIDs-array", "digestIDs-empty", "namespace-bytes",
        "digestID-negative", "digestID-text", "digestID-bignum", "digest-text", "digest-short",
        "deviceKeyInfo-array", "keyAuthorizations-array", "keyAuthorizations-empty", "authorized-namespaces-empty",
        "authorized-namespace-int", "authorized-elements-text", "authorized-elements-empty", "keyInfo-array",
        "keyInfo-text-label", "validityInfo-array", "status-array", "identifier_list-id"])
def test_an_mso_member_of_the_wrong_cbor_type_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError):
        verify_issued(signer, issuer_signed(signer, mso=change))


@pytest.mark.parametrize("algorithm", [None, b"SHA-256", "sha-256", "SHA-1"])
def test_an_mso_digest_algorithm_that_is_not_an_accepted_name_is_refused(signer: Signer, algorithm: Any) -> None:
    with pytest.raises((AlgorithmError, MalformedError)):
        verify_issued(signer, issuer_signed(signer, mso=with_(digestAlgorithm=algorithm)))


@pytest.mark.parametrize(("name", "value"), [
    ("signed", cbor2.CBORTag(1, int(NOW.timestamp()))),
    ("validFrom", cbor2.CBORTag(1, NOW.timestamp() + 0.5)),
    ("validUntil", (NOW + timedelta(days=30)).isoformat()),
    ("validUntil", cbor2.CBORTag(0, (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.250Z"))),
    ("validUntil", cbor2.CBORTag(0, (NOW + timedelta(days=30)).astimezone().strftime("%Y-%m-%dT%H:%M:%S+01:00"))),
    ("validUntil", cbor2.CBORTag(0, (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))),
    ("validUntil", cbor2.CBORTag(0, (NOW + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))),
    ("signed", cbor2.CBORTag(1004, NOW.date().isoformat())),
    ("expectedUpdate", NOW.date()),
    ("expectedUpdate", cbor2.CBORTag(1, int(NOW.timestamp()))),
], ids=["epoch-int", "epoch-float", "plain-text", "fractional-seconds", "offset", "utc-as-offset", "zero-fraction",
        "full-date", "expectedUpdate-date", "expectedUpdate-epoch"])
def test_a_validity_time_that_is_not_a_tdate_is_refused(signer: Signer, name: str, value: Any) -> None:
    """ValidityInfo holds tdate, #6.0(tstr) (standards §7.1), in UTC with no fractional seconds
    (ISO 18013-5 §9.1.2.4): tag 1 (epoch time) is another type although cbor2 reads it as a datetime."""
    with pytest.raises(MalformedError, match=name):
        verify_issued(signer, issuer_signed(signer, mso=inside("validityInfo", with_(**{name: value}))))


def test_the_optional_members_the_standard_defines_are_read_and_accepted(signer: Signer) -> None:
    """expectedUpdate (tdate), keyAuthorizations and keyInfo (``{* int => any}``: open by the CDDL,
    its content not acted on), and a status naming both revocation mechanisms."""
    def change(mso: dict[str, Any]) -> dict[str, Any]:
        return {**mso, "validityInfo": {**mso["validityInfo"], "expectedUpdate": NOW + timedelta(days=7)},
                "deviceKeyInfo": {**mso["deviceKeyInfo"], "keyInfo": {1: "x", -65537: [b"anything"]},
                                  "keyAuthorizations": {"nameSpaces": [DOCTYPE],
                                                        "dataElements": {"other.ns": ["a", "b"]}}},
                "status": {"status_list": {"idx": 4, "uri": "https://issuer.example/status/1",
                                           "certificate": b"\x30\x00"},
                           "identifier_list": {"id": b"\x01", "uri": "https://issuer.example/ids/1"}}}

    verified = verify_issued(signer, issuer_signed(signer, mso=change))
    assert verified.status is not None and verified.status.idx == 4 and verified.claims == {DOCTYPE: CLAIMS}


def test_times_elsewhere_in_the_mso_are_read_as_cbor2_reads_them(signer: Signer) -> None:
    """Only ValidityInfo must hold tdates: in keyInfo (``{* int => any}``) a time of another form is
    taken as any value is, and a tag 0 that is no date/time string at all is not valid CBOR."""
    other_forms = {1: cbor2.CBORTag(1, 5), 2: cbor2.CBORTag(0, "2020-01-01T00:00:00.5+01:00"),
                   3: cbor2.CBORTag(0, "2020-01-01T00:00:00Z")}
    verified = verify_issued(signer, issuer_signed(signer, mso=inside("deviceKeyInfo", with_(keyInfo=other_forms))))
    assert verified.claims == {DOCTYPE: CLAIMS}
    with pytest.raises(MalformedError, match="MobileSecurityObjectBytes is not valid CBOR"):
        verify_issued(signer, issuer_signed(signer, mso=inside("deviceKeyInfo", with_(
            keyInfo={1: cbor2.CBORTag(0, "not a time")}))))


@pytest.mark.parametrize(("change", "tag"), [
    (inside("deviceKeyInfo", with_(keyInfo={1: cbor2.CBORTag(28, "x"), 2: cbor2.CBORTag(29, 0)})), 28),
    (lambda mso: {"docType": cbor2.CBORTag(28, DOCTYPE),
                  **{k: v for k, v in mso.items() if k not in ("docType", "valueDigests")},
                  "valueDigests": {cbor2.CBORTag(29, 0): mso["valueDigests"][DOCTYPE]}}, 28),
    (with_(docType=cbor2.CBORTag(256, DOCTYPE)), 256),
    (lambda mso: {**mso, "validityInfo": cbor2.CBORTag(55799, mso["validityInfo"])}, 55799),
    (inside("validityInfo", with_(signed=cbor2.CBORTag(55799, cbor2.CBORTag(0, NOW.strftime("%Y-%m-%dT%H:%M:%SZ"))))),
     55799),
], ids=["shared-within-a-member", "shared-across-members", "string-reference-namespace", "self-described-map",
        "self-described-time"])
def test_tags_that_stand_for_other_parts_of_the_mso_are_refused(signer: Signer, change: Change, tag: int) -> None:
    """The MSO is decoded as one item: value sharing (28, 29), string references (256, 25) and
    self-described CBOR (55799), which cbor2 reads as another part of the encoding or as their
    content alone and which no mdoc uses, are refused wherever they stand in it."""
    with pytest.raises(MalformedError, match=f"MobileSecurityObjectBytes holds tag {tag} "):
        verify_issued(signer, issuer_signed(signer, mso=change))


def test_a_repeated_key_in_the_mso_is_refused(signer: Signer) -> None:
    """cbor2 keeps the last of two values; another verifier may read the first (RFC 8949 §5.6)."""
    with pytest.raises(MalformedError, match="MobileSecurityObjectBytes repeats a map key"):
        verify_issued(signer, issuer_signed(signer, mso=lambda mso: doubled(mso)))
    with pytest.raises(MalformedError, match="repeats a map key"):
        verify_issued(signer, issuer_signed(signer, mso=inside("validityInfo", doubled)))


def test_the_wallet_refuses_to_present_an_mso_it_could_not_verify(signer: Signer) -> None:
    issued = issuer_signed(signer, mso=with_(extra=1))
    with pytest.raises(MalformedError, match="does not define"):
        mdoc.present(issued, select=("document_number",), device_key=HOLDER, session_transcript=TRANSCRIPT)


# --- IssuerSignedItem (digested, §7.2) -------------------------------------------------------------


@pytest.mark.parametrize("hostile", [
    {**item(0, "document_number", "A1-2026-0001"), "elementValueOverride": "FORGED"},
    {**item(0, "document_number", "A1-2026-0001"), 4: "x"},
    {**item(0, "document_number", "A1-2026-0001"), b"elementValue": "x"},
], ids=["text", "integer-key", "bytes-key"])
def test_a_member_the_standard_does_not_define_in_an_item_is_refused(signer: Signer, hostile: dict[Any, Any]) -> None:
    with pytest.raises(MalformedError, match="IssuerSignedItem has a member"):
        verify_issued(signer, issuer_signed(signer, items=[hostile]))


@pytest.mark.parametrize("hostile", [
    item(True, "document_number", "x"), item(-1, "document_number", "x"), item("0", "document_number", "x"),
    item(2**64, "document_number", "x"), item(0.0, "document_number", "x"),
    item(0, b"document_number", "x"), item(0, ["document_number"], "x"),
    {**item(0, "document_number", "x"), "random": "7" * 16}, {**item(0, "document_number", "x"), "random": b"7" * 15},
    {k: v for k, v in item(0, "document_number", "x").items() if k != "elementValue"},
    [0, b"7" * 16, "document_number", "x"],
], ids=["digestID-bool", "digestID-negative", "digestID-text", "digestID-bignum", "digestID-float",
        "identifier-bytes", "identifier-array", "random-text", "random-short", "no-elementValue", "array"])
def test_an_item_member_of_the_wrong_cbor_type_is_refused(signer: Signer, hostile: Any) -> None:
    with pytest.raises(MalformedError, match="IssuerSignedItem"):
        verify_issued(signer, issuer_signed(signer, items=[hostile]))


def test_a_repeated_key_in_an_item_or_its_value_is_refused(signer: Signer) -> None:
    with pytest.raises(MalformedError, match="IssuerSignedItemBytes repeats a map key"):
        verify_issued(signer, issuer_signed(signer, items=[doubled(item(0, "document_number", "x"))]))
    with pytest.raises(MalformedError, match="IssuerSignedItemBytes repeats a map key"):
        verify_issued(signer, issuer_signed(signer, items=[item(0, "employer", doubled({"id": "1", "name": "B"}))]))


# --- IssuerSigned (unsigned envelope of what the issuer sends, §7.2) -----------------------------


@pytest.mark.parametrize("change", [
    with_(status=0), lambda top: {**top, 1: b""}, with_(deviceSigned={}),
], ids=["text", "integer-key", "another-structures-member"])
def test_a_member_the_standard_does_not_define_in_issuer_signed_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError, match="IssuerSigned has a member"):
        verify_issued(signer, issuer_signed(signer, top=change))


@pytest.mark.parametrize("change", [
    without("issuerAuth"), with_(nameSpaces={}), with_(nameSpaces={DOCTYPE: []}), with_(nameSpaces=[]),
    lambda top: {**top, "nameSpaces": {DOCTYPE.encode(): top["nameSpaces"][DOCTYPE]}},
    lambda top: {**top, "nameSpaces": {DOCTYPE: [cbor2.loads(w.data).value for w in top["nameSpaces"][DOCTYPE]]}},
], ids=["no-issuerAuth", "nameSpaces-empty", "namespace-empty", "nameSpaces-array", "namespace-bytes", "item-untagged"])
def test_an_issuer_signed_member_of_the_wrong_shape_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError):
        verify_issued(signer, issuer_signed(signer, top=change))


def test_an_issuer_signed_without_items_is_read_and_presents_without_name_spaces(signer: Signer) -> None:
    """nameSpaces is optional in IssuerSigned; a presentation of no element leaves it out rather
    than sending an empty array, which the CDDL (``[+ IssuerSignedItemBytes]``) does not allow."""
    assert verify_issued(signer, issuer_signed(signer, top=without("nameSpaces"))).claims == {}
    response = mdoc.present(issuer_signed(signer), select=(), device_key=HOLDER, session_transcript=TRANSCRIPT)
    assert "nameSpaces" not in cbor2.loads(response)["documents"][0]["issuerSigned"]
    assert verify_presented(signer, response).claims == {}


# --- DeviceResponse (§7.5) --------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    with_(zkDocuments=[]), lambda r: {**r, 0: "x"}, with_(documentErrorsExtra=[]),
], ids=["2nd-edition-member-under-1.0", "integer-key", "text"])
def test_a_member_the_standard_does_not_define_in_device_response_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError, match="DeviceResponse has a member"):
        verify_presented(signer, device_response(signer, response=change))


def test_document_errors_for_another_document_are_read_and_accepted(signer: Signer) -> None:
    """``documentErrors``: the doctypes asked for but not returned, with an error code (0: data not returned)."""
    response = device_response(signer, response=with_(documentErrors=[{mdoc.DOCTYPES["ehic"]: 0},
                                                                      {mdoc.DOCTYPES["pid"]: 10}]))
    assert verify_presented(signer, response).doctype == DOCTYPE


@pytest.mark.parametrize("errors", [
    {mdoc.DOCTYPES["ehic"]: 0}, [], [[mdoc.DOCTYPES["ehic"], 0]], [{}], [{mdoc.DOCTYPES["ehic"]: 0, "x": 0}],
    [{b"x": 0}], [{"x": "0"}], [{"x": True}], [{"x": 2**64}], [{DOCTYPE: 0}],
], ids=["map", "empty", "array-entry", "empty-entry", "two-doctypes-in-one-entry", "doctype-bytes", "code-text",
        "code-bool", "code-bignum", "names-the-returned-document"])
def test_document_errors_of_the_wrong_shape_are_refused(signer: Signer, errors: Any) -> None:
    with pytest.raises(MalformedError, match="documentErrors"):
        verify_presented(signer, device_response(signer, response=with_(documentErrors=errors)))


def test_a_response_that_returns_no_document_but_says_why_is_refused_as_not_returned(signer: Signer) -> None:
    response = device_response(signer, response=lambda r: {"version": "1.0", "status": 0,
                                                            "documentErrors": [{DOCTYPE: 0}]})
    with pytest.raises(ClaimError, match=f"{DOCTYPE} was not returned"):
        verify_presented(signer, response)


@pytest.mark.parametrize(("status", "error"), [
    (10, "status is 10 .general error"), (12, "status is 12 .CBOR validation error"), (False, "status"),
    ("0", "status"), (-1, "status"), (0.0, "status"),
])
def test_a_response_status_other_than_uint_zero_is_refused(signer: Signer, status: Any, error: str) -> None:
    with pytest.raises(MalformedError, match=error):
        verify_presented(signer, device_response(signer, response=with_(status=status)))


@pytest.mark.parametrize("change", [
    without("status"), without("version"), with_(version="1.1"), with_(documents=[]), with_(documents={}),
    lambda r: {**r, "documents": [[*r["documents"][0].items()]]},
], ids=["no-status", "no-version", "version-1.1", "documents-empty", "documents-map", "document-array"])
def test_a_device_response_of_the_wrong_shape_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError):
        verify_presented(signer, device_response(signer, response=change))


# --- Document (§7.5) --------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [with_(deviceResponse={}), lambda d: {**d, 1: 1}, with_(errorsExtra={})],
                         ids=["text", "integer-key", "near-name"])
def test_a_member_the_standard_does_not_define_in_a_document_is_refused(signer: Signer, change: Change) -> None:
    with pytest.raises(MalformedError, match="Document has a member"):
        verify_presented(signer, device_response(signer, document=change))


def test_a_documents_doctype_must_be_text_and_the_one_the_issuer_signed(signer: Signer) -> None:
    with pytest.raises(MalformedError, match="docType"):
        verify_presented(signer, device_response(signer, document=with_(docType=DOCTYPE.encode())))
    with pytest.raises(MalformedError, match="lacks docType"):
        verify_presented(signer, device_response(signer, document=without("docType")))
    with pytest.raises(VctError, match="docType differs"):
        verify_presented(signer, device_response(signer, document=with_(docType=mdoc.DOCTYPES["ehic"])))


def test_a_documents_errors_for_elements_not_returned_are_read_and_accepted(signer: Signer) -> None:
    response = device_response(signer, document=with_(errors={DOCTYPE: {"employer": 0, "ending_date": 0}}))
    assert set(verify_presented(signer, response).claims[DOCTYPE]) == {"document_number", "legislation_country"}


@pytest.mark.parametrize("errors", [
    {}, [], {DOCTYPE: {}}, {DOCTYPE: ["employer"]}, {DOCTYPE: {"employer": "0"}}, {DOCTYPE: {b"employer": 0}},
    {1: {"employer": 0}}, {DOCTYPE: {"document_number": 0}},
], ids=["empty", "array", "namespace-empty", "namespace-array", "code-text", "identifier-bytes", "namespace-int",
        "names-a-returned-element"])
def test_a_documents_errors_of_the_wrong_shape_are_refused(signer: Signer, errors: Any) -> None:
    with pytest.raises(MalformedError, match="errors"):
        verify_presented(signer, device_response(signer, document=with_(errors=errors)))


# --- DeviceSigned and DeviceAuth (§7.5) ------------------------------------------------------------


@pytest.mark.parametrize(("change", "error", "match"), [
    (with_(extra=1), MalformedError, "DeviceSigned has a member"),
    (lambda d: {**d, 2: 1}, MalformedError, "DeviceSigned has a member"),
    (inside("deviceAuth", with_(deviceMac=[b"", {}, None, b""])), MalformedError, "deviceAuth"),
    (inside("deviceAuth", with_(readerAuth=[])), MalformedError, "deviceAuth"),
    (with_(deviceAuth={}), MalformedError, "deviceAuth"),
    (with_(deviceAuth=[]), MalformedError, "deviceAuth"),
    (without("nameSpaces"), MalformedError, "DeviceSigned lacks nameSpaces"),
    (with_(nameSpaces=b"\xa0"), MalformedError, "DeviceNameSpacesBytes"),
    (without("deviceAuth"), MalformedError, "DeviceSigned lacks deviceAuth"),
    (lambda d: {**d, "deviceAuth": {"deviceMac": d["deviceAuth"]["deviceSignature"]}}, KbSignatureError,
     "deviceSignature"),
    (inside("deviceAuth", lambda a: {"deviceSignature": cbor2.dumps(a["deviceSignature"])}), MalformedError,
     "array of four items"),
], ids=["text", "integer-key", "both-signature-and-mac", "unknown-auth", "empty-auth", "auth-array",
        "no-nameSpaces", "nameSpaces-untagged", "no-deviceAuth", "mac-only", "signature-in-a-byte-string"])
def test_device_signed_holds_exactly_what_the_standard_defines(signer: Signer, change: Change,
                                                             error: type[CredentialError], match: str) -> None:
    with pytest.raises(error, match=match):
        verify_presented(signer, device_response(signer, device_signed=change))


def _device_signed_over(namespaces: bytes) -> Change:
    """DeviceSigned holding ``namespaces`` (DeviceNameSpacesBytes as written), signed by the holder over them."""
    signed = b"\xd8\x18" + cbor2.dumps(cbor2.dumps(["DeviceAuthentication", cbor2.loads(TRANSCRIPT), DOCTYPE,
                                                   Raw(namespaces)], default=_splice))
    signature = cose.sign1(signed, HOLDER, tagged=False, detached=True)
    return lambda _device_signed: {"nameSpaces": Raw(namespaces), "deviceAuth": {"deviceSignature": Raw(signature)}}


@pytest.mark.parametrize("content", [b"\xa0", b"\xbf\xff", b"\xb8\x00"], ids=["one-byte", "indefinite", "long-head"])
def test_device_signed_namespaces_holding_the_empty_map_in_any_form_are_read(signer: Signer, content: bytes) -> None:
    """DeviceNameSpacesBytes may hold only the empty map, in whichever well-formed encoding the wallet wrote."""
    namespaces = b"\xd8\x18" + cbor2.dumps(content)
    assert verify_presented(signer, device_response(signer, device_signed=_device_signed_over(namespaces))).claims


@pytest.mark.parametrize("content", [cbor2.dumps({DOCTYPE: {}}), b"\xa0\x00", b"\xbf"],
                         ids=["a-namespace", "trailing-bytes", "not-well-formed"])
def test_device_signed_namespaces_holding_anything_else_are_refused(signer: Signer, content: bytes) -> None:
    namespaces = b"\xd8\x18" + cbor2.dumps(content)
    with pytest.raises(MalformedError, match=r"DeviceNameSpacesBytes|device-signed data elements"):
        verify_presented(signer, device_response(signer, device_signed=_device_signed_over(namespaces)))


def test_a_document_without_device_signed_is_not_device_signed(signer: Signer) -> None:
    with pytest.raises(KbSignatureError, match="not device-signed"):
        verify_presented(signer, device_response(signer, document=without("deviceSigned")))


def test_a_repeated_key_anywhere_in_the_envelope_is_refused(signer: Signer) -> None:
    for response in (device_response(signer, response=doubled),
                     device_response(signer, document=doubled),
                     device_response(signer, device_signed=doubled),
                     device_response(signer, device_signed=inside("deviceAuth", doubled)),
                     device_response(signer, response=with_(documentErrors=[doubled({"x": 0})]))):
        with pytest.raises(MalformedError, match=r"^DeviceResponse repeats a map key"):
            verify_presented(signer, response)


# --- COSE_Sign1 headers and COSE_Key inside the mdoc (RFC 9052 §3, §7) ---------------------------


def _signed_with_protected(signer: Signer, protected: bytes, unprotected: Any = None) -> bytes:
    issued = cbor2.loads(issuer_signed(signer))
    payload = issued["issuerAuth"][2]
    signature = sign_raw(signer.key, cbor2.dumps(["Signature1", protected, b"", payload]))
    der = signer.leaf.public_bytes(serialization.Encoding.DER)
    issued["issuerAuth"] = [protected, {33: der} if unprotected is None else unprotected, payload, signature]
    return encode(issued)


@pytest.mark.parametrize(("protected", "match"), [
    (cbor2.dumps({1: -7}) + b"\x00", "protected header has bytes after"),
    (b"\xa2\x01\x26\x01\x26", "protected header repeats a map key"),
    (b"\xa2\x01\x38\x22\x01\x26", "protected header repeats a map key"),
], ids=["trailing-bytes", "repeated-alg", "alg-es384-then-es256"])
def test_a_protected_header_is_exactly_one_map_without_repeated_labels(signer: Signer, protected: bytes,
                                                                       match: str) -> None:
    """RFC 9052 §3: "Labels in each of the maps MUST be unique"; a repeated one makes the message
    malformed (cbor2 kept the last, so a verifier taking the first read another algorithm)."""
    with pytest.raises(MalformedError, match=match):
        verify_issued(signer, _signed_with_protected(signer, protected))


def test_a_protected_header_is_read_from_its_bytes_in_any_form(signer: Signer) -> None:
    """``{1: -7}`` with -7 written in a longer head is another protected header, signed as it is,
    and read as the three-byte one is."""
    assert verify_issued(signer, _signed_with_protected(signer, b"\xa1\x01\x38\x06")).claims == {DOCTYPE: CLAIMS}


def test_an_unprotected_header_with_a_repeated_label_is_refused(signer: Signer) -> None:
    der = signer.leaf.public_bytes(serialization.Encoding.DER)
    doubled_x5chain = Raw(b"\xa2" + cbor2.dumps(33) + cbor2.dumps(b"") + cbor2.dumps(33) + cbor2.dumps(der))
    with pytest.raises(MalformedError, match="repeats a map key"):
        verify_issued(signer, _signed_with_protected(signer, cbor2.dumps({1: -7}), doubled_x5chain))


def test_a_device_key_with_a_boolean_for_its_curve_is_refused(signer: Signer) -> None:
    """crv is an integer (RFC 9053 §7.1): CBOR true is not 1 (P-256), although Python compares them equal."""
    with pytest.raises(MalformedError, match="COSE keys"):
        verify_issued(signer, issuer_signed(signer, mso=inside("deviceKeyInfo", inside(
            "deviceKey", lambda key: {**key, -1: True}))))
