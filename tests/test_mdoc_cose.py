"""COSE_Sign1 header buckets as mdoc and the CWT status list rely on them (RFC 9052 §3, §3.1)."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from credentials import cose
from credentials.errors import MalformedError
from credentials.jose import generate_key, sign_raw

KEY = generate_key()


def _message(protected: dict[Any, Any], unprotected: dict[Any, Any], payload: bytes = b"payload") -> bytes:
    protected_bytes = cbor2.dumps(protected)
    signature = sign_raw(KEY, cbor2.dumps(["Signature1", protected_bytes, b"", payload]))
    return cbor2.dumps([protected_bytes, unprotected, payload, signature])


@pytest.mark.parametrize("label", [cose.KID, cose.X5CHAIN, cose.TYP, 99])
def test_a_label_in_both_header_buckets_is_malformed(label: int) -> None:
    """RFC 9052 §3: the same label in both buckets is refused rather than resolved either way."""
    with pytest.raises(MalformedError, match="both the protected and unprotected"):
        cose.decode_sign1(_message({cose.ALG: cose.ES256, label: b"protected"}, {label: b"unprotected"}))


def test_kid_and_x5chain_are_read_from_the_protected_bucket() -> None:
    message = cose.decode_sign1(_message({cose.ALG: cose.ES256, cose.KID: b"k1", cose.X5CHAIN: b"der"}, {}))
    assert message.kid == b"k1" and message.x5chain == [b"der"]
    assert cose.verify_sign1(message, KEY.public_key()) == b"payload"


@pytest.mark.parametrize(("protected", "unprotected"), [
    ({cose.ALG: cose.ES256, 2: [99], 99: 1}, {}),
    ({cose.ALG: cose.ES256, 2: ["urn:example:must-understand"], "urn:example:must-understand": 1}, {}),
    ({cose.ALG: cose.ES256, 2: [cose.KID]}, {}),
    ({cose.ALG: cose.ES256, 2: []}, {}),
    ({cose.ALG: cose.ES256, 2: cose.KID, cose.KID: b"k"}, {}),
    ({cose.ALG: cose.ES256, 2: [True]}, {}),
    ({cose.ALG: cose.ES256}, {2: [cose.KID], cose.KID: b"k"}),
], ids=["unknown-int", "unknown-text", "absent-from-protected", "empty", "not-an-array", "bool", "unprotected"])
def test_a_critical_header_not_understood_makes_the_message_invalid(protected: dict[Any, Any],
                                                                     unprotected: dict[Any, Any]) -> None:
    """RFC 9052 §3.1: crit is protected, non-empty, and every label in it must be understood."""
    with pytest.raises(MalformedError, match="crit"):
        cose.decode_sign1(_message(protected, unprotected))


def test_a_caller_narrows_what_it_understands() -> None:
    """typ is understood by default (the CWT status list checks it); a caller that ignores typ says so."""
    raw = _message({cose.ALG: cose.ES256, 2: [cose.TYP], cose.TYP: "application/statuslist+cwt"}, {})
    assert cose.decode_sign1(raw).protected[cose.TYP] == "application/statuslist+cwt"
    with pytest.raises(MalformedError, match="crit"):
        cose.decode_sign1(raw, understood={cose.ALG})


def test_sign1_never_emits_a_label_in_both_buckets() -> None:
    with pytest.raises(ValueError, match="both protected and unprotected"):
        cose.sign1(b"payload", KEY, kid=b"k", protected={cose.KID: b"k"})


def test_a_message_decoded_as_part_of_a_larger_item_reads_as_its_bytes_do() -> None:
    raw = _message({cose.ALG: cose.ES256}, {cose.X5CHAIN: b"der"})
    assert cose.decoded_sign1(cbor2.loads(raw)) == cose.decode_sign1(raw)


def test_a_byte_string_is_not_a_decoded_cose_sign1() -> None:
    """decoded_sign1 takes the decoded value: bytes there are a byte string, not an encoding to decode."""
    with pytest.raises(MalformedError, match="array of four items"):
        cose.decoded_sign1(_message({cose.ALG: cose.ES256}, {}))


@pytest.mark.parametrize(("protected", "unprotected", "match"), [
    (b"\xa2\x01\x38\x22\x01\x26", b"\xa0", "protected header repeats a map key"),
    (cbor2.dumps({cose.ALG: cose.ES256}) + b"\x00", b"\xa0", "protected header has bytes after"),
    (cbor2.dumps({cose.ALG: cose.ES256}), b"\xa2\x04\x41k\x04\x41j", "COSE message repeats a map key"),
], ids=["protected-label-twice", "protected-trailing-bytes", "unprotected-label-twice"])
def test_a_header_is_one_map_with_each_label_once(protected: bytes, unprotected: bytes, match: str) -> None:
    """RFC 9052 §3: "Labels in each of the maps MUST be unique ... the message MUST be rejected as
    malformed". cbor2 kept the last of two (here ES384 then ES256), and ignored bytes after the map."""
    signature = sign_raw(KEY, cbor2.dumps(["Signature1", protected, b"", b"payload"]))
    message = b"\x84" + cbor2.dumps(protected) + unprotected + cbor2.dumps(b"payload") + cbor2.dumps(signature)
    with pytest.raises(MalformedError, match=match):
        cose.decode_sign1(message)


@pytest.mark.parametrize("key", [{1: True, -1: 1}, {1: 2, -1: True}], ids=["kty-true", "crv-true"])
def test_a_cose_key_with_a_boolean_for_an_integer_label_is_refused(key: dict[int, Any]) -> None:
    """kty and crv are integers (RFC 9053 §7.1): CBOR true is no 1, although Python compares them equal."""
    point = cose.cose_key(KEY.public_key())
    with pytest.raises(MalformedError, match="COSE keys"):
        cose.public_from_cose_key({**point, **key})
