"""Token Status List (draft-ietf-oauth-status-list-20): the bit array, the JWT, the lookup."""

from __future__ import annotations

import random
import zlib
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from credentials import cose, jose
from credentials import status_list as sl
from credentials.errors import (
    AlgorithmError,
    IssuerKeyError,
    IssuerSignatureError,
    MalformedError,
    StatusError,
)
from credentials.institutions import demo_entity
from credentials.jose import PrivateKey
from credentials.pki import create_entity_ca, issue_document_signer
from credentials.x509 import x5c_header

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
URI = "https://issuer.example/lv-vsaa/status/1"

# §4.1 / standards.md §3.1 test vectors.
ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
# bytes c9 44 f9, two bits per entry, LSB first: c9 = 11|00|10|01 -> 1,2,0,3 ...
TWO_BITS = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def _list(values: list[int], bits: int) -> sl.StatusList:
    status_list = sl.StatusList(len(values), bits)
    for i, value in enumerate(values):
        status_list.set(i, value)
    return status_list


# --- the bit array ----------------------------------------------------------------------------


def test_draft_vector_one_bit() -> None:
    status_list = _list(ONE_BIT, 1)
    assert status_list.to_bytes() == bytes.fromhex("b9a3")
    assert status_list.to_lst() == "eNrbuRgAAhcBXQ"


def test_draft_vector_two_bits() -> None:
    status_list = _list(TWO_BITS, 2)
    assert status_list.to_bytes() == bytes.fromhex("c944f9")
    assert status_list.to_lst() == "eNo76fITAAPfAgc"


@pytest.mark.parametrize(("lst", "bits", "values"), [("eNrbuRgAAhcBXQ", 1, ONE_BIT), ("eNo76fITAAPfAgc", 2, TWO_BITS)])
def test_draft_vectors_decode(lst: str, bits: int, values: list[int]) -> None:
    decoded = sl.StatusList.from_lst(lst, bits)
    assert [decoded.get(i) for i in range(len(values))] == values


@pytest.mark.parametrize("bits", [1, 2, 4, 8])
def test_set_and_get_every_value_without_touching_neighbours(bits: int) -> None:
    size = 64
    status_list = sl.StatusList(size, bits)
    rng = random.Random(bits)
    expected = [rng.randrange(1 << bits) for _ in range(size)]
    for i, value in enumerate(expected):
        status_list.set(i, value)
    for i in range(0, size, 3):  # overwrite some entries again, both up and down
        expected[i] = (1 << bits) - 1 - expected[i]
        status_list.set(i, expected[i])
    assert [status_list.get(i) for i in range(size)] == expected
    again = sl.StatusList.from_lst(status_list.to_lst(), bits)
    assert [again.get(i) for i in range(size)] == expected


@pytest.mark.parametrize(("bits", "value"), [(1, 2), (2, 4), (4, 16), (8, 256), (2, -1)])
def test_value_that_does_not_fit_bits_is_refused(bits: int, value: int) -> None:
    with pytest.raises(ValueError, match="status value"):
        sl.StatusList(8, bits).set(0, value)


@pytest.mark.parametrize("bits", [0, 3, 16, True])
def test_unsupported_bits_are_refused(bits: int) -> None:
    with pytest.raises(ValueError, match="bits"):
        sl.StatusList(8, bits)


@pytest.mark.parametrize("index", [-1, 10, True])
def test_index_out_of_range_is_status_error(index: int) -> None:
    status_list = sl.StatusList(10, 2)
    with pytest.raises(StatusError):
        status_list.get(index)
    with pytest.raises(StatusError):
        status_list.set(index, 1)


def test_size_is_rounded_up_to_whole_bytes() -> None:
    status_list = sl.StatusList(9, 1)
    assert len(status_list.to_bytes()) == 2
    assert sl.StatusList.from_lst(status_list.to_lst(), 1).size == 16


def test_one_million_entries_at_one_percent_compress_small() -> None:
    # Draft Appendix "Size Comparison": 1M entries, 1 bit, 1 % revoked -> 13.7 KB.
    size = 1_000_000
    status_list = sl.StatusList(size, 1)
    for index in random.Random(7).sample(range(size), size // 100):
        status_list.set(index, sl.INVALID)
    compressed = jose.b64url_decode(status_list.to_lst())
    assert len(compressed) <= 16 * 1024
    assert zlib.decompress(compressed) == status_list.to_bytes()


def test_zip_bomb_is_refused() -> None:
    bomb = jose.b64url_encode(zlib.compress(bytes(sl.MAX_LIST_BYTES + 1), 9))
    assert len(bomb) < 40_000
    with pytest.raises(MalformedError, match="decompresses to more than"):
        sl.StatusList.from_lst(bomb, 1)


def test_small_max_bytes_limits_decompression() -> None:
    lst = sl.StatusList(1024 * 8, 1).to_lst()
    with pytest.raises(MalformedError):
        sl.StatusList.from_lst(lst, 1, max_bytes=1023)
    assert sl.StatusList.from_lst(lst, 1, max_bytes=1024).size == 8192


@pytest.mark.parametrize(
    "lst",
    [
        jose.b64url_encode(b"not zlib at all"),
        jose.b64url_encode(zlib.compress(b"\x00" * 100)[:-3]),
        jose.b64url_encode(zlib.compress(b"\x00" * 100) + b"junk"),
        jose.b64url_encode(zlib.compress(b"")),
        "eNrbuRgAAhcBXQ==",
        "",
    ],
    ids=["not-zlib", "truncated", "trailing-data", "empty-list", "padded-base64", "empty"],
)
def test_bad_lst_is_malformed(lst: str) -> None:
    with pytest.raises(MalformedError):
        sl.StatusList.from_lst(lst, 1)


@pytest.mark.parametrize(
    "claim",
    [
        None,
        [],
        {"bits": 3, "lst": "eNrbuRgAAhcBXQ"},
        {"bits": "1", "lst": "eNrbuRgAAhcBXQ"},
        {"bits": 1},
        {"bits": 1, "lst": 5},
    ],
    ids=["none", "array", "bits-3", "bits-string", "no-lst", "lst-number"],
)
def test_bad_status_list_claim_is_malformed(claim: object) -> None:
    with pytest.raises(MalformedError):
        sl.StatusList.from_claim(claim)


# --- the Referenced Token's status claim --------------------------------------------------------


def test_status_reference_round_trip() -> None:
    ref = sl.StatusReference(idx=4711, uri=URI)
    assert ref.to_claim() == {"status_list": {"idx": 4711, "uri": URI}}
    assert sl.StatusReference.from_claim(ref.to_claim()) == ref


@pytest.mark.parametrize(
    "claim",
    [
        None,
        {},
        {"status_list": []},
        {"status_list": {"idx": "1", "uri": URI}},
        {"status_list": {"idx": -1, "uri": URI}},
        {"status_list": {"idx": True, "uri": URI}},
        {"status_list": {"idx": 1.0, "uri": URI}},
        {"status_list": {"idx": 1}},
        {"status_list": {"idx": 1, "uri": 7}},
        {"status_list": {"idx": 1, "uri": "status/1"}},
        {"status_list": {"idx": 1, "uri": "ftp://issuer.example/x"}},
    ],
    ids=["none", "empty", "array", "idx-string", "idx-negative", "idx-bool", "idx-float", "no-uri", "uri-number",
         "uri-relative", "uri-ftp"],
)
def test_bad_status_reference_is_malformed(claim: object) -> None:
    with pytest.raises(MalformedError):
        sl.StatusReference.from_claim(claim)


# --- the Status List Token ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> tuple[PrivateKey, x509.Certificate, x509.Certificate]:
    entity = demo_entity("LV:VSAA")
    ca_key, ca = create_entity_ca(entity, now=NOW)
    key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW)
    return key, leaf, ca


Issuer = tuple[PrivateKey, x509.Certificate, x509.Certificate]


def _token(issuer: Issuer, status_list: sl.StatusList | None = None, *, iat: int = TS, exp: int = TS + 86400,
           uri: str = URI) -> str:
    key, leaf, _ = issuer
    return sl.sign_token(status_list or _list(ONE_BIT, 1), uri=uri, key=key, x5c=[leaf], iat=iat, exp=exp, ttl=43200)


def _resign(issuer: Issuer, header: dict[str, object], payload: dict[str, object]) -> str:
    """A token with the signer's valid signature over whatever header and payload we choose."""
    return jose.sign_jws(header, payload, issuer[0])


def test_token_round_trip_and_lookup(issuer: Issuer) -> None:
    token = _token(issuer)
    verified = sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert (verified.uri, verified.iat, verified.exp, verified.ttl) == (URI, TS, TS + 86400, 43200)
    assert verified.chain.anchor == issuer[2]
    assert [sl.status_of(verified, sl.StatusReference(i, URI)) for i in range(16)] == ONE_BIT


def test_token_header_and_claims_follow_the_draft(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    assert parsed.header == {"alg": "ES256", "typ": "statuslist+jwt", "x5c": x5c_header([issuer[1]])}
    assert parsed.payload == {"sub": URI, "iat": TS, "exp": TS + 86400, "ttl": 43200,
                              "status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}}


def test_sign_token_refuses_the_trust_anchor_in_x5c(issuer: Issuer) -> None:
    key, leaf, ca = issuer
    with pytest.raises(ValueError, match="self-signed"):
        sl.sign_token(_list(ONE_BIT, 1), uri=URI, key=key, x5c=[leaf, ca], iat=TS, exp=TS + 60, ttl=60)


def test_sign_token_refuses_a_key_that_is_not_the_leafs(issuer: Issuer) -> None:
    with pytest.raises(ValueError, match="does not match"):
        sl.sign_token(_list(ONE_BIT, 1), uri=URI, key=jose.generate_key(), x5c=[issuer[1]], iat=TS, exp=TS + 60,
                      ttl=60)


def test_tampered_token_is_refused(issuer: Issuer) -> None:
    header, _, signature = _token(issuer).split(".")
    forged = jose.b64url_encode(jose.dumps({"sub": URI, "iat": TS, "exp": TS + 86400, "ttl": 43200,
                                            "status_list": {"bits": 1, "lst": sl.StatusList(16, 1).to_lst()}}))
    with pytest.raises(IssuerSignatureError) as info:
        sl.verify_token(f"{header}.{forged}.{signature}", uri=URI, anchors=[issuer[2]], now=NOW)
    assert info.value.code == "issuer_signature"


def test_wrong_typ_is_refused(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    token = _resign(issuer, {**parsed.header, "typ": "JWT"}, parsed.payload)
    with pytest.raises(MalformedError, match="typ") as info:
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert info.value.code == "malformed"


def test_media_type_form_of_typ_is_accepted(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    token = _resign(issuer, {**parsed.header, "typ": "application/statuslist+jwt"}, parsed.payload)
    assert sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW).uri == URI


def test_algorithm_outside_policy_is_refused(issuer: Issuer) -> None:
    with pytest.raises(AlgorithmError) as info:
        sl.verify_token(_token(issuer), uri=URI, anchors=[issuer[2]], now=NOW, algorithms=("ES384",))
    assert info.value.code == "algorithm"


def test_alg_none_is_refused(issuer: Issuer) -> None:
    _, payload, _ = _token(issuer).split(".")
    header = jose.b64url_encode(jose.dumps({"alg": "none", "typ": "statuslist+jwt", "x5c": x5c_header([issuer[1]])}))
    with pytest.raises(AlgorithmError):
        sl.verify_token(f"{header}.{payload}.", uri=URI, anchors=[issuer[2]], now=NOW)


def test_wrong_sub_is_refused(issuer: Issuer) -> None:
    token = _token(issuer, uri="https://issuer.example/lv-vsaa/status/2")
    with pytest.raises(StatusError, match="sub") as info:
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert info.value.code == "status"


def test_expired_token_is_refused(issuer: Issuer) -> None:
    token = _token(issuer, iat=TS - 7200, exp=TS - 3600)
    with pytest.raises(StatusError, match="expired") as info:
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert info.value.code == "status"


def test_expiry_allows_the_clock_skew(issuer: Issuer) -> None:
    token = _token(issuer, iat=TS - 7200, exp=TS - 30)
    assert sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW, skew=60).exp == TS - 30
    with pytest.raises(StatusError, match="expired"):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW, skew=0)


def test_token_issued_in_the_future_is_refused(issuer: Issuer) -> None:
    token = _token(issuer, iat=TS + 600, exp=TS + 86400)
    with pytest.raises(StatusError, match="future"):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)


def test_token_older_than_max_age_is_refused(issuer: Issuer) -> None:
    token = _token(issuer, iat=TS - 3600, exp=TS + 86400)
    assert sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW, max_age=7200).iat == TS - 3600
    with pytest.raises(StatusError, match="older"):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW, max_age=600)


def test_token_signed_by_a_chain_to_another_root_is_refused(issuer: Issuer) -> None:
    entity = demo_entity("DE:DRV")
    other_ca_key, other_ca = create_entity_ca(entity, now=NOW)
    other_key, other_leaf = issue_document_signer(entity, other_ca_key, other_ca, now=NOW)
    token = sl.sign_token(_list(ONE_BIT, 1), uri=URI, key=other_key, x5c=[other_leaf], iat=TS, exp=TS + 60, ttl=60)
    with pytest.raises(IssuerKeyError) as info:
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert info.value.code == "issuer_key"


def test_token_carrying_its_anchor_in_x5c_is_refused(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    token = _resign(issuer, {**parsed.header, "x5c": x5c_header([issuer[1], issuer[2]])}, parsed.payload)
    with pytest.raises(IssuerKeyError, match="trust anchor"):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)


def test_token_without_x5c_is_refused(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    header = {k: v for k, v in parsed.header.items() if k != "x5c"}
    with pytest.raises(MalformedError, match="x5c"):
        sl.verify_token(_resign(issuer, header, parsed.payload), uri=URI, anchors=[issuer[2]], now=NOW)


@pytest.mark.parametrize(
    ("remove", "replace"),
    [("iat", None), ("exp", None), ("status_list", None), (None, ("iat", "yesterday")), (None, ("ttl", 0)),
     (None, ("ttl", -5)), (None, ("exp", True))],
    ids=["no-iat", "no-exp", "no-status_list", "iat-string", "ttl-zero", "ttl-negative", "exp-bool"],
)
def test_missing_or_ill_typed_claims_are_malformed(
    issuer: Issuer, remove: str | None, replace: tuple[str, object] | None
) -> None:
    parsed = jose.decode_jws(_token(issuer))
    payload = {k: v for k, v in parsed.payload.items() if k != remove}
    if replace is not None:
        payload[replace[0]] = replace[1]
    with pytest.raises(MalformedError):
        sl.verify_token(_resign(issuer, parsed.header, payload), uri=URI, anchors=[issuer[2]], now=NOW)


def test_signed_zip_bomb_is_refused(issuer: Issuer) -> None:
    parsed = jose.decode_jws(_token(issuer))
    bomb = jose.b64url_encode(zlib.compress(bytes(4 * 1024 * 1024), 9))
    payload = {**parsed.payload, "status_list": {"bits": 1, "lst": bomb}}
    with pytest.raises(MalformedError, match="decompresses"):
        sl.verify_token(_resign(issuer, parsed.header, payload), uri=URI, anchors=[issuer[2]], now=NOW,
                        max_bytes=1024 * 1024)


def test_oversized_token_is_refused_before_parsing(issuer: Issuer) -> None:
    with pytest.raises(MalformedError, match="larger than"):
        sl.verify_token("a" * (sl.MAX_STATUS_TOKEN_BYTES + 1), uri=URI, anchors=[issuer[2]], now=NOW)


def test_token_larger_than_the_generic_jws_limit_is_accepted(issuer: Issuer) -> None:
    # Real lists get there too: 10M entries at 5 % revoked is ~437 KB (draft "Size Comparison").
    # Random bytes do not compress, so 250 KB of them make a token above jose.MAX_TOKEN_BYTES.
    raw = random.Random(3).randbytes(250_000)
    status_list = sl.StatusList.from_bytes(raw, 1)
    token = _token(issuer, status_list)
    assert len(token) > jose.MAX_TOKEN_BYTES
    verified = sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)
    assert verified.status_list.to_bytes() == raw


def test_index_out_of_range_is_refused(issuer: Issuer) -> None:
    verified = sl.verify_token(_token(issuer), uri=URI, anchors=[issuer[2]], now=NOW)
    with pytest.raises(StatusError, match="out of range") as info:
        sl.status_of(verified, sl.StatusReference(16, URI))
    assert info.value.code == "status"


def test_reference_to_another_list_is_refused(issuer: Issuer) -> None:
    verified = sl.verify_token(_token(issuer), uri=URI, anchors=[issuer[2]], now=NOW)
    with pytest.raises(StatusError, match="another status list"):
        sl.status_of(verified, sl.StatusReference(0, "https://issuer.example/lv-vsaa/status/2"))


def test_verify_uses_the_time_passed_in(issuer: Issuer) -> None:
    token = _token(issuer)
    # The signer certificate (2 years) has expired by then; the chain is checked before the claims.
    with pytest.raises(IssuerKeyError, match="not valid at validation time"):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW + timedelta(days=800))


# --- index allocation --------------------------------------------------------------------------


def test_allocation_hands_out_every_index_once_then_reports_full() -> None:
    taken: set[int] = set()
    for _ in range(100):
        taken.add(sl.allocate_index(100, taken.__contains__))
    assert taken == set(range(100))
    with pytest.raises(StatusError, match="full"):
        sl.allocate_index(100, taken.__contains__)


def test_allocation_is_random() -> None:
    first = [sl.allocate_index(1 << 20, lambda _: False) for _ in range(20)]
    assert len(set(first)) > 15
    assert first != sorted(first)


def test_allocation_retries_when_the_random_index_is_taken() -> None:
    class Scripted:
        def __init__(self) -> None:
            self.values = iter([5, 5, 7])

        def randbelow(self, _n: int, /) -> int:
            return next(self.values)

    assert sl.allocate_index(10, {5}.__contains__, Scripted()) == 7


def test_large_full_list_fails_cleanly_without_scanning() -> None:
    calls = 0

    def taken(_index: int) -> bool:
        nonlocal calls
        calls += 1
        return True

    with pytest.raises(StatusError, match="nearly"):
        sl.allocate_index(10_000_000, taken, attempts=32)
    assert calls == 32


# --- the Status List Token in CWT form (§5.2), for ISO mdoc ----------------------------------------


def _cwt(issuer: Issuer, *, iat: int = TS, exp: int = TS + 86400, uri: str = URI,
         status_list: sl.StatusList | None = None) -> bytes:
    key, leaf, _ = issuer
    return sl.sign_cwt_token(status_list or _list(ONE_BIT, 1), uri=uri, key=key, x5c=[leaf], iat=iat, exp=exp,
                             ttl=43200)


def _recwt(issuer: Issuer, claims: dict[int, object], *, protected: dict[int, object] | None = None,
           tag: int = 18) -> bytes:
    """A CWT with the signer's valid signature over the claims and protected header we choose."""
    message = cbor2.loads(cose.sign1(cbor2.dumps(claims), issuer[0], x5chain=[issuer[1].public_bytes(
        serialization.Encoding.DER)], protected={16: sl.CWT_MEDIA_TYPE} if protected is None else protected))
    return cbor2.dumps(cbor2.CBORTag(tag, message.value))


def _claims(**change: object) -> dict[int, object]:
    claims: dict[int, object] = {2: URI, 6: TS, 4: TS + 86400, 65534: 43200,
                                 65533: {"bits": 1, "lst": zlib.compress(bytes([0xB9, 0xA3]), 9)}}
    keys = {"sub": 2, "iat": 6, "exp": 4, "ttl": 65534, "status_list": 65533}
    for name, value in change.items():
        if value is None:
            claims.pop(keys[name])
        else:
            claims[keys[name]] = value
    return claims


def test_cwt_round_trip_and_lookup(issuer: Issuer) -> None:
    verified = sl.verify_cwt_token(_cwt(issuer), uri=URI, anchors=[issuer[2]], now=NOW)
    assert (verified.uri, verified.iat, verified.exp, verified.ttl) == (URI, TS, TS + 86400, 43200)
    assert [sl.status_of(verified, sl.StatusReference(i, URI)) for i in range(16)] == ONE_BIT


def test_cwt_structure_follows_the_draft(issuer: Issuer) -> None:
    """COSE_Sign1 tag 18 (not CWT tag 61), typ in the protected header, the claim keys of §5.2,
    and the CBOR StatusList with lst as the zlib bytes themselves."""
    token = cbor2.loads(_cwt(issuer))
    assert isinstance(token, cbor2.CBORTag) and token.tag == 18
    protected, unprotected, payload, _signature = token.value
    assert cbor2.loads(protected) == {1: -7, 16: "application/statuslist+cwt"}
    assert unprotected[33] == issuer[1].public_bytes(serialization.Encoding.DER)
    claims = cbor2.loads(payload)
    assert claims == {2: URI, 6: TS, 4: TS + 86400, 65534: 43200,
                      65533: {"bits": 1, "lst": bytes.fromhex("78dadbb918000217015d")}}


def test_cwt_tagged_as_a_cwt_is_refused(issuer: Issuer) -> None:
    with pytest.raises(MalformedError):
        sl.verify_cwt_token(_recwt(issuer, _claims(), tag=61), uri=URI, anchors=[issuer[2]], now=NOW)


@pytest.mark.parametrize("protected", [{}, {16: "application/statuslist+jwt"}, {16: "application/cwt"}],
                         ids=["no-typ", "jwt-typ", "other-typ"])
def test_cwt_without_its_typ_is_refused(issuer: Issuer, protected: dict[int, object]) -> None:
    with pytest.raises(MalformedError, match="typ"):
        sl.verify_cwt_token(_recwt(issuer, _claims(), protected=protected), uri=URI, anchors=[issuer[2]], now=NOW)


def test_cwt_with_another_algorithm_is_refused(issuer: Issuer) -> None:
    token = _recwt(issuer, _claims(), protected={1: -35, 16: sl.CWT_MEDIA_TYPE})
    with pytest.raises(AlgorithmError):
        sl.verify_cwt_token(token, uri=URI, anchors=[issuer[2]], now=NOW)


def test_tampered_cwt_is_refused(issuer: Issuer) -> None:
    message = list(cbor2.loads(_cwt(issuer)).value)
    message[2] = cbor2.dumps(_claims(status_list={"bits": 1, "lst": zlib.compress(b"\x00\x00", 9)}))
    with pytest.raises(IssuerSignatureError):
        sl.verify_cwt_token(cbor2.dumps(cbor2.CBORTag(18, message)), uri=URI, anchors=[issuer[2]], now=NOW)


def test_cwt_signed_under_another_root_is_refused(issuer: Issuer) -> None:
    entity = demo_entity("DE:DRV")
    other_ca_key, other_ca = create_entity_ca(entity, now=NOW)
    other_key, other_leaf = issue_document_signer(entity, other_ca_key, other_ca, now=NOW)
    token = sl.sign_cwt_token(_list(ONE_BIT, 1), uri=URI, key=other_key, x5c=[other_leaf], iat=TS, exp=TS + 60,
                              ttl=60)
    with pytest.raises(IssuerKeyError):
        sl.verify_cwt_token(token, uri=URI, anchors=[issuer[2]], now=NOW)


@pytest.mark.parametrize(("change", "error"), [
    ({"sub": "https://issuer.example/lv-vsaa/status/2"}, StatusError),
    ({"sub": None}, StatusError),
    ({"exp": TS - 3600}, StatusError),
    ({"iat": TS + 3600}, StatusError),
    ({"iat": None}, MalformedError),
    ({"ttl": 0}, MalformedError),
    ({"status_list": None}, MalformedError),
    ({"status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ"}}, MalformedError),  # lst is bytes in CBOR
    ({"status_list": {"bits": 3, "lst": zlib.compress(b"\x00", 9)}}, MalformedError),
    ({"status_list": {"bits": 1, "lst": zlib.compress(bytes(32 * 1024 * 1024), 9)}}, MalformedError),
], ids=["other-sub", "no-sub", "expired", "future", "no-iat", "zero-ttl", "no-list", "text-lst", "bits-3", "bomb"])
def test_cwt_claims_are_checked_like_the_jwts(issuer: Issuer, change: dict[str, object],
                                              error: type[Exception]) -> None:
    with pytest.raises(error):
        sl.verify_cwt_token(_recwt(issuer, _claims(**change)), uri=URI, anchors=[issuer[2]], now=NOW)


def test_garbage_is_not_a_cwt(issuer: Issuer) -> None:
    for garbage in (b"", b"\xff", cbor2.dumps({"a": 1}), cbor2.dumps(cbor2.CBORTag(18, [b"", {}, None, b""])),
                    bytes(5 * 1024 * 1024)):
        with pytest.raises(MalformedError):
            sl.verify_cwt_token(garbage, uri=URI, anchors=[issuer[2]], now=NOW)


def test_an_mdoc_status_reference_is_fetched_as_a_cwt() -> None:
    ref = sl.StatusReference.from_claim({"status_list": {"idx": 3, "uri": URI}}, token_form=sl.CWT)
    assert ref.token_form == sl.CWT and ref == sl.StatusReference(3, URI)
    assert ref.to_claim() == {"status_list": {"idx": 3, "uri": URI}}


AGGREGATION = "https://localhost:8102/lv-vsaa/status-lists"


def test_aggregation_uri_is_carried_by_both_forms(issuer: Issuer) -> None:
    """§9: the StatusList (JSON and CBOR) may name where all the issuer's lists are listed."""
    key, leaf, ca = issuer
    token = sl.sign_token(_list(ONE_BIT, 1), uri=URI, key=key, x5c=[leaf], iat=TS, exp=TS + 86400, ttl=43200,
                          aggregation_uri=AGGREGATION)
    assert jose.decode_jws(token).payload["status_list"]["aggregation_uri"] == AGGREGATION
    assert sl.verify_token(token, uri=URI, anchors=[ca], now=NOW).aggregation_uri == AGGREGATION
    cwt = sl.sign_cwt_token(_list(ONE_BIT, 1), uri=URI, key=key, x5c=[leaf], iat=TS, exp=TS + 86400, ttl=43200,
                            aggregation_uri=AGGREGATION)
    assert sl.verify_cwt_token(cwt, uri=URI, anchors=[ca], now=NOW).aggregation_uri == AGGREGATION
    assert sl.verify_token(_token(issuer), uri=URI, anchors=[ca], now=NOW).aggregation_uri is None


@pytest.mark.parametrize("aggregation_uri", [7, "", "ftp://localhost/lists", ["https://localhost/x"]])
def test_a_malformed_aggregation_uri_is_refused(issuer: Issuer, aggregation_uri: object) -> None:
    payload = {"sub": URI, "iat": TS, "exp": TS + 86400, "ttl": 43200,
               "status_list": {"bits": 1, "lst": "eNrbuRgAAhcBXQ", "aggregation_uri": aggregation_uri}}
    token = _resign(issuer, {"typ": "statuslist+jwt", "x5c": x5c_header([issuer[1]])}, payload)
    with pytest.raises(MalformedError):
        sl.verify_token(token, uri=URI, anchors=[issuer[2]], now=NOW)


# --- Accept negotiation (§8.1, RFC 9110 §12.5.1) ----------------------------------------------------


@pytest.mark.parametrize(("accept", "form"), [
    (None, sl.JWT),  # no Accept: anything, so the JWT
    ("", sl.JWT),
    ("application/statuslist+jwt", sl.JWT),
    ("application/statuslist+cwt", sl.CWT),
    ("APPLICATION/StatusList+CWT ; Q=1", sl.CWT),  # names and parameters are case-insensitive
    ("application/statuslist+jwt;q=0, application/statuslist+cwt", sl.CWT),  # q=0: not acceptable
    ("application/statuslist+cwt, application/statuslist+jwt;q=0.1", sl.CWT),
    ("application/statuslist+cwt;q=0.5, application/statuslist+jwt;q=0.501", sl.JWT),
    ("application/statuslist+cwt, application/statuslist+jwt", sl.JWT),  # a tie: the JWT
    ("*/*", sl.JWT),
    ("application/*", sl.JWT),
    ("application/*;q=0.5, application/statuslist+cwt;q=0.6", sl.CWT),
    ("application/statuslist+cwt, */*;q=0", sl.CWT),
    ("application/statuslist+cwt;q=0, */*", sl.JWT),  # the most specific range decides for each form
    ("application/statuslist+jwt;q=0, application/*", sl.CWT),
    ("text/html", None),  # 406
    ("application/json, text/*", None),
    ("*/*;q=0", None),
    ("application/statuslist+jwt;q=0, application/statuslist+cwt;q=0", None),
    ("application/statuslist+cwt;;;q=x, */*;q=abc", None),  # a q that is not a qvalue: the range is ignored
    ("application/statuslist+jwt;q=1.5", None),
    ("application/statuslist+jwt;q=0.0001", None),
    ("*/statuslist+jwt", None),
    ("application", None),
    (",,, ;", None),
])
def test_the_token_form_is_negotiated_by_accept_weights(accept: str | None, form: str | None) -> None:
    assert sl.negotiate_form(accept) == form


# --- same-second lists: a withdrawal is kept (§7.1) --------------------------------------------------


@pytest.mark.parametrize(("held", "new", "undoes"), [
    ({5: sl.INVALID}, {5: sl.INVALID}, False),
    ({5: sl.INVALID}, {5: sl.INVALID, 6: sl.INVALID}, False),  # one more withdrawal
    ({}, {5: sl.INVALID}, False),
    ({5: sl.SUSPENDED}, {}, False),  # a suspension may be lifted
    ({5: sl.INVALID}, {}, True),
    ({5: sl.INVALID}, {5: sl.SUSPENDED}, True),
    ({5: sl.INVALID, 6: sl.INVALID}, {5: sl.INVALID, 6: sl.VALID}, True),  # the neighbour in the same byte
    ({100_000: sl.INVALID}, {100_000: 3}, True),  # past the first block
])
def test_a_list_undoing_a_withdrawal_is_told_apart(held: dict[int, int], new: dict[int, int], undoes: bool) -> None:
    def make(entries: dict[int, int]) -> sl.StatusList:
        lst = sl.StatusList(131072, bits=2)
        for index, value in entries.items():
            lst.set(index, value)
        return lst
    assert sl.undoes_withdrawal(make(held), make(new)) is undoes


def test_lists_of_another_shape_cannot_be_compared_and_count_as_undoing() -> None:
    assert sl.undoes_withdrawal(sl.StatusList(1024, bits=2), sl.StatusList(1024, bits=1))
    assert sl.undoes_withdrawal(sl.StatusList(1024, bits=2), sl.StatusList(2048, bits=2))
