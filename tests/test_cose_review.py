"""Review regressions for credentials.cose and the COSE-based forms (status list CWT, offline QR)."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import base45
import cbor2
import pytest

from credentials import compact, cose, ehic, jose, pda1
from credentials import status_list as sl
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError, MalformedError
from credentials.institutions import demo_entity
from credentials.pki import create_entity_ca, issue_document_signer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
URI = "https://issuer.example/lv-vsaa/status/1"
KEY = jose.generate_key()


@pytest.mark.parametrize("trailer", [b"\x00", b"\xf6", b"\xa0", b"junk"])
def test_cose_sign1_with_trailing_bytes_is_malformed(trailer: bytes) -> None:
    """cbor2.loads reads the first data item and ignores what follows, so one signed message had any
    number of encodings that all verified (a status list token or an offline credential whose hash,
    cache key or QR text differs yet is accepted). RFC 8949 §5.1: a CBOR data item is the whole input."""
    message = cose.sign1(b"payload", KEY)
    assert cose.verify_sign1(cose.decode_sign1(message), KEY.public_key()) == b"payload"
    with pytest.raises(MalformedError):
        cose.decode_sign1(message + trailer)


def test_status_list_cwt_with_trailing_bytes_is_malformed() -> None:
    entity = demo_entity("LV:VSAA")
    ca_key, ca = create_entity_ca(entity, now=NOW)
    key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW)
    token = sl.sign_cwt_token(sl.StatusList(16, 1), uri=URI, key=key, x5c=[leaf], iat=TS, exp=TS + 60, ttl=60)
    sl.verify_cwt_token(token, uri=URI, anchors=[ca], now=NOW)
    with pytest.raises(MalformedError):
        sl.verify_cwt_token(token + b"\x00", uri=URI, anchors=[ca], now=NOW)


def _paper_credential() -> bytes:
    return compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(DEMO_PERSONS[0].pda1), holder=DEMO_PERSONS[0].pid,
                                 holder_jwk=None, issuer_key=KEY, kid=jose.b64url_encode(b"12345678"), iat=TS - 60,
                                 exp=TS + 3600, status=None)


def _qr(packed: bytes) -> str:
    return compact.PREFIX + str(base45.b45encode(packed).decode("ascii"))


@pytest.mark.parametrize("where", ["after the zlib stream", "after the CBOR items", "after the credential"])
def test_offline_qr_with_trailing_bytes_is_malformed(where: str) -> None:
    """A paper QR (no holder signature over the credential's hash) changed by appending bytes at any
    of its three layers verified as the genuine one, so the inspector's verdict was valid."""
    raw = _paper_credential()
    resolve = lambda _kid, _vct, _at: KEY.public_key()  # noqa: E731
    assert compact.verify_compact(compact.parse_qr(compact.paper_qr(raw)), resolve_key=resolve, now=NOW)
    qr = {"after the zlib stream": _qr(zlib.compress(cbor2.dumps([raw]), 9) + b"junk"),
          "after the CBOR items": _qr(zlib.compress(cbor2.dumps([raw]) + b"\x00", 9)),
          "after the credential": compact.paper_qr(raw + b"\x00")}[where]
    with pytest.raises(CredentialError):
        compact.verify_compact(compact.parse_qr(qr), resolve_key=resolve, now=NOW)


@pytest.mark.parametrize("trailer", [b"", b"\x00"], ids=["a repeated key", "bytes after the map"])
def test_a_compact_credential_payload_is_one_cbor_map_with_each_key_once(trailer: bytes) -> None:
    """The signed payload of an offline credential is read as strictly as every other CBOR we take
    (cose.loads_one): with a key twice a reader would keep one of the values, and bytes after the
    map would give one credential several encodings."""
    key = jose.generate_key()
    repeated = b"\xa2" + cbor2.dumps(compact.EXP) + cbor2.dumps(1) + cbor2.dumps(compact.EXP) + cbor2.dumps(2)
    payload = (repeated if not trailer else cbor2.dumps({compact.EXP: 1})) + trailer
    raw = cose.sign1(payload, key, kid=b"k", tagged=False, implicit_alg=True)
    with pytest.raises(MalformedError, match="credential payload"):
        compact.decode_credential(raw)


@pytest.mark.parametrize("changed", [{"date_of_expiry": "01.05.2026"}, {"date_of_expiry": "2026-05-01T00:00:00Z"},
                                     {"authentic_source": "LV:NVD"}, {"subject": ["Elza"]}])
def test_claims_with_no_offline_form_are_malformed_not_a_crash(changed: dict[str, object]) -> None:
    """A wallet compares a received offline form with what the card's claims make (compact.fields_of):
    a card from another issuer may carry a date or a part in a shape ours never has."""
    with pytest.raises(MalformedError, match="no offline form"):
        compact.fields_of(ehic.VCT, {**DEMO_PERSONS[0].ehic, **changed}, {})
