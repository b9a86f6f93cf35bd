"""ISO 18013-5 mdoc (standards §7): IssuerSigned, DeviceResponse over the OpenID4VP transcript, attacks."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest

from credentials import cose, mdoc, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import (
    CredentialError,
    DisclosureError,
    IssuerKeyError,
    IssuerSignatureError,
    KbSignatureError,
    MalformedError,
    ValidityError,
    VctError,
)
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import generate_key, sign_raw
from credentials.pki import DemoPki, create_demo_pki
from credentials.status_list import StatusReference

NOW = datetime.now(UTC).replace(microsecond=0)
DOCTYPE = mdoc.DOCTYPES["pda1"]
CLAIMS = pda1.validate(DEMO_PERSONS[0].pda1)
HOLDER = generate_key()
TRANSCRIPT = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n-0S6_WzA2Mj", jwk_thumbprint=None,
                                               response_uri="https://verifier.example/responses/1")
STATUS = StatusReference(idx=7, uri="https://localhost:8102/lv-vsaa/status/1")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(Path(tmp_path_factory.mktemp("pki")), DEMO_ENTITIES, now=NOW - timedelta(days=30))


def _issue(pki: DemoPki, **kw: Any) -> bytes:
    key, chain = pki.signers["LV:VSAA"]
    args: dict[str, Any] = {"doctype": DOCTYPE, "claims": CLAIMS, "device_key": HOLDER.public_key(), "issuer_key": key,
                            "x5chain": chain, "signed": NOW, "valid_until": NOW + timedelta(days=365),
                            "status": STATUS, **kw}
    return mdoc.issue(**args)


def _anchors(pki: DemoPki, entity: str = "LV:VSAA") -> list[Any]:
    return [pki.cas[entity][1]]


def _present(issuer_signed: bytes, *, select: tuple[str, ...] = ("document_number", "legislation_country"),
             transcript: bytes = TRANSCRIPT, key: Any = HOLDER) -> bytes:
    return mdoc.present(issuer_signed, select=select, device_key=key, session_transcript=transcript)


def _verify(pki: DemoPki, response: bytes, **kw: Any) -> mdoc.VerifiedMdoc:
    args: dict[str, Any] = {"anchors": _anchors(pki), "now": NOW + timedelta(seconds=5),
                            "session_transcript": TRANSCRIPT, **kw}
    return mdoc.verify_presentation(response, **args)


def test_openid4vp_handover_session_transcript_matches_the_spec_vector() -> None:
    """OpenID4VP 1.0 App. B.2.6.1 (standards §7.9)."""
    thumbprint = bytes.fromhex("4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047")
    transcript = mdoc.openid4vp_session_transcript(
        client_id="x509_san_dns:example.com", nonce="exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA",
        jwk_thumbprint=thumbprint, response_uri="https://example.com/response")
    assert transcript.hex() == ("83f6f682714f70656e494434565048616e646f7665725820"
                                "048bc053c00442af9b8eed494cefdd9d95240d254b046b11b68013722aad38ac")


def test_issued_mdoc_verifies_with_every_element_its_device_key_and_status(pki: DemoPki) -> None:
    verified = mdoc.verify_issuer_signed(_issue(pki), anchors=_anchors(pki), now=NOW)
    assert verified.doctype == DOCTYPE and verified.claims[DOCTYPE] == dict(CLAIMS)
    assert verified.device_key.public_numbers() == HOLDER.public_key().public_numbers()
    assert verified.status == STATUS and verified.valid_until == NOW + timedelta(days=365)


def test_issuer_auth_is_an_untagged_cose_sign1_with_x5chain_and_random_salts(pki: DemoPki) -> None:
    issued = cbor2.loads(_issue(pki))
    auth = issued["issuerAuth"]
    assert isinstance(auth, list) and cbor2.loads(auth[0]) == {1: -7} and isinstance(auth[1][33], bytes)
    items = [cbor2.loads(i.value) for i in issued["nameSpaces"][DOCTYPE]]
    assert all(len(i["random"]) >= 16 for i in items) and len({i["random"] for i in items}) == len(items)


def test_presentation_discloses_only_the_selected_elements(pki: DemoPki) -> None:
    verified = _verify(pki, _present(_issue(pki)), expected_doctypes={DOCTYPE})
    assert verified.claims == {DOCTYPE: {"document_number": CLAIMS["document_number"],
                                         "legislation_country": CLAIMS["legislation_country"]}}


def test_a_changed_element_value_does_not_match_its_digest(pki: DemoPki) -> None:
    response = cbor2.loads(_present(_issue(pki)))
    items = response["documents"][0]["issuerSigned"]["nameSpaces"][DOCTYPE]
    item = cbor2.loads(items[0].value)
    item["elementValue"] = "FORGED-0001"
    items[0] = cbor2.CBORTag(24, cbor2.dumps(item))
    with pytest.raises(DisclosureError):
        _verify(pki, cbor2.dumps(response))


def test_an_element_taken_from_another_mdoc_does_not_match(pki: DemoPki) -> None:
    response = cbor2.loads(_present(_issue(pki)))
    other = cbor2.loads(_present(_issue(pki)))
    response["documents"][0]["issuerSigned"]["nameSpaces"][DOCTYPE][0] = \
        other["documents"][0]["issuerSigned"]["nameSpaces"][DOCTYPE][0]
    with pytest.raises(DisclosureError):
        _verify(pki, cbor2.dumps(response))


def test_a_presentation_for_another_nonce_is_refused(pki: DemoPki) -> None:
    replayed = _present(_issue(pki), transcript=mdoc.openid4vp_session_transcript(
        client_id="x509_hash:abc", nonce="another-nonce", jwk_thumbprint=None,
        response_uri="https://verifier.example/responses/1"))
    with pytest.raises(KbSignatureError):
        _verify(pki, replayed)


def test_a_device_signature_by_another_key_is_refused(pki: DemoPki) -> None:
    with pytest.raises(KbSignatureError):
        _verify(pki, _present(_issue(pki), key=generate_key()))


def test_a_chain_to_another_institution_is_refused(pki: DemoPki) -> None:
    with pytest.raises(IssuerKeyError):
        _verify(pki, _present(_issue(pki)), anchors=_anchors(pki, "DE:DRV"))


def test_an_expired_mdoc_is_refused(pki: DemoPki) -> None:
    expired = _issue(pki, signed=NOW - timedelta(days=20), valid_until=NOW - timedelta(days=1))
    with pytest.raises(ValidityError):
        _verify(pki, _present(expired))


def test_a_document_type_that_was_not_asked_for_is_refused(pki: DemoPki) -> None:
    with pytest.raises(VctError):
        _verify(pki, _present(_issue(pki)), expected_doctypes={mdoc.DOCTYPES["ehic"]})


def test_a_tampered_mobile_security_object_breaks_the_issuer_signature(pki: DemoPki) -> None:
    response = cbor2.loads(_present(_issue(pki)))
    auth = response["documents"][0]["issuerSigned"]["issuerAuth"]
    mso = cbor2.loads(cbor2.loads(auth[2]).value)
    mso["validityInfo"]["validUntil"] = NOW + timedelta(days=9999)
    auth[2] = cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(mso)))
    with pytest.raises(IssuerSignatureError):
        _verify(pki, cbor2.dumps(response))


def test_a_device_mac_or_attached_payload_is_not_accepted(pki: DemoPki) -> None:
    response = cbor2.loads(_present(_issue(pki)))
    device_auth = response["documents"][0]["deviceSigned"]["deviceAuth"]
    mac = {"deviceMac": device_auth.pop("deviceSignature")}
    with pytest.raises(KbSignatureError):
        _verify(pki, cbor2.dumps({**response, "documents": [{**response["documents"][0],
                                                              "deviceSigned": {**response["documents"][0][
                                                                  "deviceSigned"], "deviceAuth": mac}}]}))


@pytest.mark.parametrize("garbage", [b"", b"\xff", cbor2.dumps([1, 2]), cbor2.dumps({"version": "1.0", "status": 0}),
                                     cbor2.dumps({"version": "1.0", "status": 0, "documents": [{}, {}]}),
                                     b"\x00" * (mdoc.MAX_BYTES + 1)],
                         ids=["empty", "not-cbor", "array", "no-documents", "two-documents", "oversized"])
def test_malformed_device_responses_are_refused(pki: DemoPki, garbage: bytes) -> None:
    with pytest.raises(MalformedError):
        _verify(pki, garbage)


def test_issuer_signed_items_and_the_mso_are_canonical_cbor(pki: DemoPki) -> None:
    """RFC 8949 §4.2.1 deterministic encoding of every IssuerSignedItem (flat values and maps alike),
    each digest over its tag-24 bytes, and the whole IssuerSigned well-formed."""
    claims = {**CLAIMS, "flag": True, "count": 70000, "nothing": None, "nested": {"zz": 1, "a": [{"y": 2, "b": 3}]}}
    issuer_signed = cbor2.loads(_issue(pki, claims=claims))
    assert list(issuer_signed) == ["nameSpaces", "issuerAuth"]
    items = issuer_signed["nameSpaces"][DOCTYPE]
    assert [cbor2.loads(i.value)["elementIdentifier"] for i in items] == list(claims)
    mso = cbor2.loads(cbor2.loads(issuer_signed["issuerAuth"][2]).value)
    for item in items:
        decoded = cbor2.loads(item.value)
        assert item.value == cbor2.dumps(decoded, canonical=True)
        digest = mso["valueDigests"][DOCTYPE][decoded["digestID"]]
        assert digest == hashlib.sha256(cbor2.dumps(item)).digest()
    assert {d for d in mso["valueDigests"][DOCTYPE]} == set(range(len(claims)))


def test_the_mobile_security_object_and_items_of_every_kind_of_value_are_canonical_cbor(pki: DemoPki) -> None:
    """RFC 8949 §4.2.1 without sorting at run time where the order is known: the MSO's maps, text
    keys of any length and script, and values that canonical encoding changes (a float, keys that
    are not text), in an mdoc with more elements than a one-byte array head holds."""
    claims = {**CLAIMS, "ratio": 0.5, "by_number": {2: "b", 1: "a"}, "straße": {"ö": 1, "zz": 2, "é": 3, "b": 4},
              "tuple": ("x", {"b": 1, "a": 2}), **{f"extra_{i}": i for i in range(20)}}
    issued = _issue(pki, claims=claims)
    issuer_signed = cbor2.loads(issued)
    items = issuer_signed["nameSpaces"][DOCTYPE]
    assert len(items) >= 24 and all(item.value == cbor2.dumps(cbor2.loads(item.value), canonical=True)
                                    for item in items)
    mso_bytes = cbor2.loads(issuer_signed["issuerAuth"][2]).value
    assert mso_bytes == cbor2.dumps(cbor2.loads(mso_bytes), canonical=True)
    assert cbor2.loads(mso_bytes)["status"] == STATUS.to_claim()
    verified = mdoc.verify_issuer_signed(issued, anchors=_anchors(pki), now=NOW)
    assert verified.claims[DOCTYPE]["tuple"] == ["x", {"a": 2, "b": 1}] and len(verified.claims[DOCTYPE]) == len(claims)


@pytest.mark.parametrize("argument", [0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1])
def test_an_array_head_is_the_shortest_one_as_cbor2_writes_it(argument: int) -> None:
    """RFC 8949 §4.2.1: the argument in the fewest bytes (the same head as an unsigned integer's)."""
    unsigned = cbor2.dumps(argument)
    assert mdoc._encode_head(4, argument) == bytes([0x80 | unsigned[0]]) + unsigned[1:]


def test_the_x5chain_text_cache_gives_each_byte_string_its_own_text() -> None:
    """Chains are remembered by their exact bytes: one byte changed is another chain, encoded afresh."""
    der = bytes(range(256)) * 3
    other = der[:100] + bytes([der[100] ^ 1]) + der[101:]
    assert mdoc._x5c((der,)) == (base64.b64encode(der).decode(),)
    assert mdoc._x5c((other,)) == (base64.b64encode(other).decode(),) != mdoc._x5c((der,))
    assert mdoc._x5c.cache_info().maxsize == 16  # bounded; certificates only, nothing secret


# --- ValidityInfo (ISO 18013-5 §9.3.1; standards §7.4 step 3) ------------------------------------


def test_an_mso_signed_in_the_future_is_refused(pki: DemoPki) -> None:
    """``signed`` is the issuance time the trust list judges: a date-forward claim is refused."""
    future = _issue(pki, signed=NOW + timedelta(days=3), valid_from=NOW)
    with pytest.raises(ValidityError, match="future"):
        _verify(pki, _present(future))
    with pytest.raises(ValidityError, match="future"):
        mdoc.verify_issuer_signed(future, anchors=_anchors(pki), now=NOW)


def test_an_mso_backdated_before_its_document_signer_certificate_is_refused(pki: DemoPki) -> None:
    """A key cannot have signed before it was certified (the demo signer's certificate starts 30 days ago)."""
    backdated = _issue(pki, signed=NOW - timedelta(days=400), valid_from=NOW - timedelta(days=400))
    with pytest.raises(ValidityError, match="certificate"):
        _verify(pki, _present(backdated))


def test_an_mso_whose_valid_from_is_after_its_valid_until_is_refused(pki: DemoPki) -> None:
    """Both within the clock skew of now, so only the ordering check catches it."""
    inverted = _issue(pki, valid_from=NOW + timedelta(seconds=30), valid_until=NOW + timedelta(seconds=20))
    with pytest.raises(ValidityError, match="validFrom after validUntil"):
        _verify(pki, _present(inverted))


def test_an_mso_signed_within_the_skew_and_the_certificate_is_accepted(pki: DemoPki) -> None:
    verified = _verify(pki, _present(_issue(pki, signed=NOW + timedelta(seconds=30))))
    assert verified.signed == NOW + timedelta(seconds=30)


# --- COSE header buckets in issuerAuth (RFC 9052 §3, §3.1) ---------------------------------------


def _resigned_issuer_auth(pki: DemoPki, protected: dict[int, Any], unprotected: dict[int, Any]) -> bytes:
    """The genuine MSO signed by the genuine document signer, with the given header buckets."""
    issued = cbor2.loads(_issue(pki))
    key, _ = pki.signers["LV:VSAA"]
    protected_bytes = cbor2.dumps(protected)
    payload = issued["issuerAuth"][2]
    signature = sign_raw(key, cbor2.dumps(["Signature1", protected_bytes, b"", payload]))
    issued["issuerAuth"] = [protected_bytes, unprotected, payload, signature]
    return cbor2.dumps(issued)


def _der(pki: DemoPki, entity: str) -> bytes:
    return mdoc._der_chain(tuple(pki.signers[entity][1]))[0]


def test_an_unprotected_x5chain_cannot_replace_the_protected_one(pki: DemoPki) -> None:
    """The issuer signed with another institution's chain protected; an unprotected copy of ours
    next to it must not be what the verifier trusts (it used to be read first)."""
    forged = _resigned_issuer_auth(pki, {cose.ALG: cose.ES256, cose.X5CHAIN: _der(pki, "DE:DRV")},
                                   {cose.X5CHAIN: _der(pki, "LV:VSAA")})
    with pytest.raises(MalformedError, match="both the protected and unprotected"):
        mdoc.verify_issuer_signed(forged, anchors=_anchors(pki), now=NOW)


@pytest.mark.parametrize(("protected", "unprotected"), [
    ({cose.ALG: cose.ES256, 2: [99], 99: "must understand"}, {}),
    ({cose.ALG: cose.ES256, 2: [cose.KID], cose.KID: b"k"}, {}),
    ({cose.ALG: cose.ES256, 2: [99]}, {}),
    ({cose.ALG: cose.ES256, 2: []}, {}),
    ({cose.ALG: cose.ES256, 2: [[1]]}, {}),
    ({cose.ALG: cose.ES256}, {2: [99], 99: "must understand"}),
], ids=["unknown-label", "label-issuerauth-ignores", "label-not-present", "empty", "not-a-label", "unprotected-crit"])
def test_issuer_auth_with_a_critical_header_it_does_not_understand_is_invalid(
        pki: DemoPki, protected: dict[int, Any], unprotected: dict[int, Any]) -> None:
    unprotected = {**unprotected, cose.X5CHAIN: _der(pki, "LV:VSAA")}
    with pytest.raises(MalformedError, match="crit"):
        mdoc.verify_issuer_signed(_resigned_issuer_auth(pki, protected, unprotected), anchors=_anchors(pki), now=NOW)


def test_issuer_auth_marking_alg_critical_is_understood(pki: DemoPki) -> None:
    issuer_signed = _resigned_issuer_auth(pki, {cose.ALG: cose.ES256, 2: [cose.ALG]},
                                          {cose.X5CHAIN: _der(pki, "LV:VSAA")})
    assert mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW).doctype == DOCTYPE


# --- digests over the exact received bytes (standards §7.1, §7.3) ---------------------------------


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data


def _splice(encoder: cbor2.CBOREncoder, value: Any) -> None:
    encoder.write(value.data)


def _foreign_issuer_signed(pki: DemoPki, wire_item: bytes, digest: bytes) -> bytes:
    """An IssuerSigned from an issuer whose encoder we do not control: one item sent as
    ``wire_item``, the MSO holding ``digest`` for it, signed by the genuine document signer."""
    issued = cbor2.loads(_issue(pki, claims={"document_number": "X-1"}))
    mso = cbor2.loads(cbor2.loads(issued["issuerAuth"][2]).value)
    mso["valueDigests"] = {DOCTYPE: {0: digest}}
    key, chain = pki.signers["LV:VSAA"]
    auth = cose.sign1(cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(mso))), key, tagged=False,
                      x5chain=mdoc._der_chain(tuple(chain)))
    return cbor2.dumps({"nameSpaces": {DOCTYPE: [_Raw(wire_item)]}, "issuerAuth": _Raw(auth)}, default=_splice)


def _item(value: str = "X-1") -> bytes:
    return cbor2.dumps({"digestID": 0, "random": b"r" * 16, "elementIdentifier": "document_number",
                        "elementValue": value}, canonical=True)


def test_an_item_with_a_non_shortest_length_head_verifies_against_the_bytes_received(pki: DemoPki) -> None:
    """The issuer hashed its own encoding (a 2-byte length for a short item): the verifier hashes
    those bytes, not a re-encoding, and the wallet forwards them unchanged."""
    inner = _item()
    wire_item = b"\xd8\x18\x59" + len(inner).to_bytes(2, "big") + inner
    issuer_signed = _foreign_issuer_signed(pki, wire_item, hashlib.sha256(wire_item).digest())
    assert mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW).claims == \
        {DOCTYPE: {"document_number": "X-1"}}
    response = _present(issuer_signed, select=("document_number",))
    assert wire_item in response
    assert _verify(pki, response).claims == {DOCTYPE: {"document_number": "X-1"}}


def test_an_item_rewrapped_in_a_longer_length_head_does_not_match_its_digest(pki: DemoPki) -> None:
    """Digest over the shortest form, item sent with a longer head: different bytes, refused
    (a verifier that re-encodes before hashing would accept it)."""
    inner = _item()
    signed_form = cbor2.dumps(cbor2.CBORTag(24, inner))
    sent_form = b"\xd8\x18\x59" + len(inner).to_bytes(2, "big") + inner
    issuer_signed = _foreign_issuer_signed(pki, sent_form, hashlib.sha256(signed_form).digest())
    with pytest.raises(DisclosureError):
        mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW)


def test_presented_items_and_issuer_auth_are_forwarded_byte_for_byte(pki: DemoPki) -> None:
    issued = _issue(pki)
    decoded = cbor2.loads(issued)
    response = _present(issued)
    auth_bytes = cbor2.dumps(decoded["issuerAuth"])
    kept = [cbor2.dumps(i) for i in decoded["nameSpaces"][DOCTYPE]
            if cbor2.loads(i.value)["elementIdentifier"] in ("document_number", "legislation_country")]
    assert auth_bytes in response and len(kept) == 2 and all(k in response for k in kept)


def _chunked(data: bytes) -> bytes:
    """``data`` as an indefinite-length byte string of two chunks (RFC 8949 §3.2.3)."""
    return b"\x5f" + cbor2.dumps(data[:5]) + cbor2.dumps(data[5:]) + b"\xff"


@pytest.mark.parametrize("wire", [
    lambda inner: b"\xd8\x18" + cbor2.dumps(inner),
    lambda inner: b"\xd9\x00\x18" + cbor2.dumps(inner),
    lambda inner: b"\xd8\x18\x5a" + len(inner).to_bytes(4, "big") + inner,
    lambda inner: b"\xd8\x18" + _chunked(inner),
], ids=["shortest", "long-tag-head", "4-byte-length", "indefinite-length"])
def test_an_item_in_any_encoding_verifies_against_the_bytes_received(pki: DemoPki, wire: Any) -> None:
    """Every well-formed form of IssuerSignedItemBytes: the digest is over the bytes as sent, which
    the wallet forwards unchanged."""
    wire_item = wire(_item())
    issuer_signed = _foreign_issuer_signed(pki, wire_item, hashlib.sha256(wire_item).digest())
    assert mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW).claims == \
        {DOCTYPE: {"document_number": "X-1"}}
    response = _present(issuer_signed, select=("document_number",))
    assert wire_item in response
    assert _verify(pki, response).claims == {DOCTYPE: {"document_number": "X-1"}}


@pytest.mark.parametrize(("inner", "error"), [
    (_item() + b"\x00", "has trailing bytes"),
    (_item()[:-1], "is not valid CBOR"),
], ids=["trailing-bytes", "runs-past-its-byte-string"])
def test_an_item_that_is_not_exactly_one_cbor_item_is_refused(pki: DemoPki, inner: bytes, error: str) -> None:
    """The byte string must hold one item and nothing after it. Cut short, the item is refused
    although the bytes after its byte string (here the "issuerAuth" key) would complete a text
    string: it is read where it lies, and must end where its byte string ends."""
    wire_item = b"\xd8\x18" + cbor2.dumps(inner)
    issuer_signed = _foreign_issuer_signed(pki, wire_item, hashlib.sha256(wire_item).digest())
    with pytest.raises(MalformedError, match=f"IssuerSignedItemBytes {error}"):
        mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW)


def test_an_issuer_auth_wrapped_in_a_byte_string_is_refused(pki: DemoPki) -> None:
    """issuerAuth is a COSE_Sign1 array, not a byte string holding one's encoding."""
    issued = cbor2.loads(_issue(pki))
    wrapped = cbor2.dumps({"nameSpaces": issued["nameSpaces"], "issuerAuth": cbor2.dumps(issued["issuerAuth"])})
    with pytest.raises(MalformedError, match="array of four items"):
        mdoc.verify_issuer_signed(wrapped, anchors=_anchors(pki), now=NOW)


def _encoded_as_received(value: Any, rng: Any) -> bytes:
    """``value`` in one of the encodings RFC 8949 allows, chosen at random: longer heads than
    needed, indefinite-length strings, arrays and maps (§3.2). ``_Raw`` is written as it is."""
    def head(major: int, argument: int) -> bytes:
        forms = [(info, size) for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)) if argument < 1 << 8 * size]
        if argument < 24 and rng.random() < 0.5:
            return bytes([major << 5 | argument])
        info, size = rng.choice(forms)
        return bytes([major << 5 | info]) + argument.to_bytes(size, "big")

    if isinstance(value, _Raw):
        return value.data
    if isinstance(value, cbor2.CBORTag):
        return head(6, value.tag) + _encoded_as_received(value.value, rng)
    if isinstance(value, bool) or value is None or not isinstance(value, int | str | bytes | list | dict):
        return cbor2.dumps(value)
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, str | bytes):
        major, data = (3, value.encode()) if isinstance(value, str) else (2, value)
        if rng.random() < 0.3:  # one chunk: a text chunk must hold whole characters
            return bytes([major << 5 | 31]) + head(major, len(data)) + data + b"\xff"
        return head(major, len(data)) + data
    body = b"".join(_encoded_as_received(part, rng) for pair in (value.items() if isinstance(value, dict) else
                                                                  ((v,) for v in value)) for part in pair)
    major = 5 if isinstance(value, dict) else 4
    return bytes([major << 5 | 31]) + body + b"\xff" if rng.random() < 0.3 else head(major, len(value)) + body


def test_a_device_response_in_any_legal_encoding_verifies_over_its_exact_bytes(pki: DemoPki) -> None:
    """Seeded: items, IssuerSigned and the DeviceResponse around them in random well-formed
    encodings; each item's digest taken over its encoding, which the wallet and the verifier keep."""
    import random

    rng = random.Random(20261130)
    key, chain = pki.signers["LV:VSAA"]
    for _ in range(25):
        items = [_encoded_as_received(cbor2.CBORTag(24, _encoded_as_received(
            {"digestID": i, "random": bytes([i]) * 16, "elementIdentifier": name, "elementValue": value}, rng)), rng)
            for i, (name, value) in enumerate(CLAIMS.items())]
        mso = cbor2.loads(cbor2.loads(cbor2.loads(_issue(pki))["issuerAuth"][2]).value)
        mso["valueDigests"] = {DOCTYPE: {i: hashlib.sha256(item).digest() for i, item in enumerate(items)}}
        auth = cose.sign1(cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(mso))), key, tagged=False,
                          x5chain=mdoc._der_chain(tuple(chain)))
        issuer_signed = _encoded_as_received(
            {"nameSpaces": {DOCTYPE: [_Raw(item) for item in items]},
             "issuerAuth": _Raw(_encoded_as_received(cbor2.loads(auth), rng))}, rng)
        assert mdoc.verify_issuer_signed(issuer_signed, anchors=_anchors(pki), now=NOW).claims == {DOCTYPE: CLAIMS}
        response = cbor2.loads(_present(issuer_signed))
        kept = [_Raw(item) for item in items if cbor2.loads(cbor2.loads(item).value)["elementIdentifier"]
                in ("document_number", "legislation_country")]
        odd = _encoded_as_received({"version": "1.0", "documents": [{
            "docType": DOCTYPE, "issuerSigned": {"nameSpaces": {DOCTYPE: kept}, "issuerAuth": _Raw(
                _encoded_as_received(cbor2.loads(auth), rng))},
            # The wallet signed its own DeviceNameSpacesBytes: those stay as it wrote them.
            "deviceSigned": _Raw(cbor2.dumps(response["documents"][0]["deviceSigned"]))}], "status": 0}, rng)
        assert _verify(pki, odd).claims == {DOCTYPE: {"document_number": CLAIMS["document_number"],
                                                      "legislation_country": CLAIMS["legislation_country"]}}


def test_device_signed_namespaces_are_read_as_the_wallet_wrote_and_signed_them(pki: DemoPki) -> None:
    """ISO 18013-5 §9.1.3.4: DeviceAuthentication holds the DeviceNameSpacesBytes the wallet sent. A
    wallet writing them in a longer legal form (tag 24 in two bytes, the byte string's length in
    one) signs those bytes; the verifier rebuilds what was signed from them, not from its own encoding."""
    longer = b"\xd9\x00\x18\x58\x01\xa0"  # #6.24(bstr .cbor {}) with longer heads
    assert cbor2.loads(longer) == cbor2.CBORTag(24, b"\xa0")
    response = cbor2.loads(_present(_issue(pki)))
    document = response["documents"][0]
    signed = (mdoc._TAG_CBOR_HEAD + cbor2.dumps(cbor2.dumps(["DeviceAuthentication", cbor2.loads(TRANSCRIPT),
                                                              DOCTYPE, _Raw(longer)], default=_splice)))
    signature = cose.sign1(signed, HOLDER, tagged=False, detached=True)
    document["deviceSigned"] = {"nameSpaces": _Raw(longer), "deviceAuth": {"deviceSignature": _Raw(signature)}}
    received = cbor2.dumps(response, default=_splice)
    assert _verify(pki, received).doctype == DOCTYPE
    # Re-encoded minimally after signing, they are not what the wallet signed.
    document["deviceSigned"]["nameSpaces"] = cbor2.CBORTag(24, b"\xa0")
    with pytest.raises(KbSignatureError):
        _verify(pki, cbor2.dumps(response, default=_splice))


def _doubled(mapping: dict[Any, Any]) -> _Raw:
    """``mapping`` (fewer than 23 pairs) encoded with its first key and value written twice."""
    pairs = list(mapping.items())
    return _Raw(bytes([0xa0 + len(pairs) + 1]) + b"".join(
        cbor2.dumps(key, default=_splice) + cbor2.dumps(value, default=_splice) for key, value in [pairs[0], *pairs]))


@pytest.mark.parametrize("where", ["DeviceResponse", "Document", "IssuerSigned", "IssuerSigned nameSpaces"])
def test_a_repeated_map_key_on_the_way_to_the_items_is_refused(pki: DemoPki, where: str) -> None:
    """Each map read from the bytes to find the items: a decoder keeps one of the two values. The
    whole response is refused when first decoded (a repeated key at any depth, RFC 8949 §5.6)."""
    response = cbor2.loads(_present(_issue(pki)))
    document = response["documents"][0]
    if where == "DeviceResponse":
        response = _doubled(response)
    elif where == "Document":
        response["documents"][0] = _doubled(document)
    elif where == "IssuerSigned":
        document["issuerSigned"] = _doubled(document["issuerSigned"])
    else:
        document["issuerSigned"]["nameSpaces"] = _doubled(document["issuerSigned"]["nameSpaces"])
    with pytest.raises(MalformedError, match=r"^DeviceResponse repeats a map key"):
        _verify(pki, cbor2.dumps(response, default=_splice))


@pytest.mark.parametrize("where", ["device-response", "issuer-signed"])
def test_trailing_bytes_after_an_mdoc_are_refused(pki: DemoPki, where: str) -> None:
    issued = _issue(pki)
    with pytest.raises(MalformedError, match="trailing"):
        if where == "device-response":
            _verify(pki, _present(issued) + b"\x00")
        else:
            mdoc.verify_issuer_signed(issued + b"\x00", anchors=_anchors(pki), now=NOW)


def test_a_repeated_map_key_in_the_issuer_signed_part_is_refused(pki: DemoPki) -> None:
    """A decoder keeps one of two ``nameSpaces``; the byte-level reading must not pick the other."""
    issued = cbor2.loads(_issue(pki))
    namespaces = cbor2.dumps(issued["nameSpaces"])
    doubled = b"\xa3" + cbor2.dumps("nameSpaces") + namespaces + cbor2.dumps("nameSpaces") + cbor2.dumps({}) \
        + cbor2.dumps("issuerAuth") + cbor2.dumps(issued["issuerAuth"])
    with pytest.raises(MalformedError, match="repeats"):
        mdoc.verify_issuer_signed(doubled, anchors=_anchors(pki), now=NOW)


def test_a_damaged_device_response_is_always_refused_never_a_crash(tmp_path: Path) -> None:
    """Any one byte of a DeviceResponse changed (here 1,500 of them, seeded): the answer is refused
    with a CredentialError, whatever part was hit (a certificate's version byte, a CBOR head, a
    signature), never another exception the verifier would answer with a 500."""
    import random

    pki = create_demo_pki(tmp_path, DEMO_ENTITIES, now=NOW - timedelta(days=30))
    response = _present(_issue(pki))
    rng = random.Random(20261129)
    for _ in range(1500):
        damaged = bytearray(response)
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            _verify(pki, bytes(damaged))
        except CredentialError:
            pass
