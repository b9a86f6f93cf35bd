"""RFC 7515/7518/7638 framing: our policy picks the algorithm, parsers refuse what is too big."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credentials import jose
from credentials.errors import AlgorithmError, IssuerSignatureError, KbSignatureError, MalformedError


def test_es256_jws_round_trip() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({"typ": "example+jwt"}, {"a": 1}, key)
    verified = jose.verify_jws(token, key.public_key(), algorithms={"ES256"}, typ="example+jwt")
    assert verified.payload == {"a": 1}
    assert verified.header["alg"] == "ES256"


def test_alg_none_is_refused() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({}, {"a": 1}, key)
    _, payload, sig = token.split(".")
    header = jose.b64url_encode(json.dumps({"alg": "none"}).encode())
    with pytest.raises(AlgorithmError):
        jose.verify_jws(f"{header}.{payload}.{sig}", key.public_key(), algorithms={"ES256"})


def test_algorithm_outside_policy_is_refused_even_if_signature_is_good() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({}, {"a": 1}, key)
    with pytest.raises(AlgorithmError):
        jose.verify_jws(token, key.public_key(), algorithms={"ES384"})


def test_signature_by_another_key_raises_the_callers_error_code() -> None:
    token = jose.sign_jws({}, {"a": 1}, jose.generate_key())
    with pytest.raises(IssuerSignatureError):
        jose.verify_jws(token, jose.generate_key().public_key(), algorithms={"ES256"})
    with pytest.raises(KbSignatureError):
        jose.verify_jws(token, jose.generate_key().public_key(), algorithms={"ES256"}, error=KbSignatureError)


def test_wrong_typ_is_refused() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({"typ": "a+jwt"}, {}, key)
    with pytest.raises(MalformedError):
        jose.verify_jws(token, key.public_key(), algorithms={"ES256"}, typ="b+jwt")


def test_crit_header_is_refused() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({"crit": ["exp"]}, {}, key)
    with pytest.raises(MalformedError):
        jose.decode_jws(token)


@pytest.mark.parametrize("bad", ["a.b", "a.b.c.d", "!!!.e30.AA", "e30.e30.A"])
def test_malformed_compact_jws_is_refused(bad: str) -> None:
    with pytest.raises(MalformedError):
        jose.decode_jws(bad)


def test_oversized_json_is_refused_unparsed() -> None:
    with pytest.raises(MalformedError):
        jose.parse_json(b"[" + b"1," * 200_000 + b"1]")


def test_deeply_nested_json_is_refused() -> None:
    with pytest.raises(MalformedError):
        jose.parse_json("[" * 50 + "]" * 50)
    with pytest.raises(MalformedError):
        jose.parse_json("[" * 100_000 + "]" * 100_000, max_bytes=10**6)


def test_json_nested_exactly_to_the_limit_is_accepted_one_deeper_is_not() -> None:
    assert jose.parse_json('{"a":' * 16 + "1" + "}" * 16)
    assert jose.parse_json(json.dumps([[i] for i in range(100)]))  # many containers, shallow
    with pytest.raises(MalformedError):
        jose.parse_json('{"a":[' * 8 + '{"b":1}' + "]}" * 8)  # 17 levels, mixed


@pytest.mark.parametrize("bad", ["NaN", "[Infinity]", "[1e999]", '"\\ud800"', '"\ud800"', "\ufeff{}", "{'a': 1}",
                                 '{"a":1,}', b"\xff\xfe"], ids=lambda v: repr(v)[:12])
def test_json_outside_rfc_8259_is_refused(bad: str | bytes) -> None:
    """No NaN or infinities, no lone surrogates (escaped or raw), no BOM, no trailing commas."""
    with pytest.raises(MalformedError):
        jose.parse_json(bad)


def test_jwk_with_private_member_is_refused() -> None:
    jwk = {**jose.public_jwk(jose.generate_key()), "d": "AAAA"}
    with pytest.raises(MalformedError):
        jose.public_key_from_jwk(jwk)


def test_jwk_with_a_point_off_the_curve_is_refused() -> None:
    jwk = jose.public_jwk(jose.generate_key())
    y = bytearray(jose.b64url_decode(jwk["y"]))
    y[-1] ^= 1  # (x, y+-1) is not on P-256: an invalid-curve attack would feed such points
    with pytest.raises(MalformedError):
        jose.public_key_from_jwk({**jwk, "y": jose.b64url_encode(bytes(y))})


def test_jwk_with_a_short_coordinate_is_refused() -> None:
    """RFC 7518 §6.2.1.2: x is the full 32 octets for P-256, leading zeros included."""
    jwk = jose.public_jwk(jose.generate_key())
    with pytest.raises(MalformedError):
        jose.public_key_from_jwk({**jwk, "x": jose.b64url_encode(jose.b64url_decode(jwk["x"])[1:])})


def test_jwk_round_trip_and_rfc7638_thumbprint() -> None:
    key = jose.generate_key()
    jwk = jose.public_jwk(key)
    assert jose.public_key_from_jwk(jwk).public_numbers() == key.public_key().public_numbers()
    # standards §10.7: thumbprint of the example encryption key
    example = {"kty": "EC", "crv": "P-256", "use": "enc", "alg": "ECDH-ES", "kid": "1",
               "x": "DxiH5Q4Yx3UrukE2lWCErq8N8bqC9CHLLrAwLz5BmE0",
               "y": "XtLM4-3h5o3HUH0MHVJV0kyq0iBlrBwlh8qEDMZ4-Pc"}
    digest = jose.b64url_decode(jose.jwk_thumbprint(example))
    assert digest.hex() == "4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047"


@pytest.mark.parametrize("size", [2, 30, 1000], ids=["short", "digest", "payload"])
def test_base64url_is_strict(size: int) -> None:
    """Short and long inputs take different decoders; both refuse the same things."""
    data = bytes(range(256)) * 4
    good = jose.b64url_encode(data[:size])
    assert jose.b64url_decode(good) == data[:size]
    stem = good[: len(good) - len(good) % 4]
    for bad in [stem + "ab==", stem[:-4] + "a+b/", stem + "a", stem[:-1] + " ", stem[:-1] + "\n", stem[:-1] + "!",
                stem[:-2] + "é"]:
        with pytest.raises(MalformedError):
            jose.b64url_decode(bad)


@pytest.mark.parametrize("size", [30, 1000], ids=["short", "payload"])
def test_base64url_refuses_every_byte_outside_its_alphabet(size: int) -> None:
    """Each of the 192 byte values that are not base64url, in place of one character of a good
    encoding (given as bytes), is refused by both decoders: none is skipped or translated."""
    good = jose.b64url_encode((bytes(range(256)) * 4)[:size]).encode("ascii")
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert jose.b64url_decode(good)
    for value in set(range(256)) - set(alphabet):
        for at in (0, len(good) // 2):
            with pytest.raises(MalformedError):
                jose.b64url_decode(good[:at] + bytes([value]) + good[at + 1 :])


@pytest.mark.parametrize(("curve", "size"), [(ec.SECP256R1(), 32), (ec.SECP384R1(), 48), (ec.SECP521R1(), 66)])
def test_der_signature_becomes_fixed_size_r_and_s(curve: ec.EllipticCurve, size: int) -> None:
    """RFC 7518 §3.4: R and S as octet strings of the coordinate size, whatever DER's INTEGERs hold.

    DER drops leading zero bytes and adds a sign byte when the top bit is set; P-521 signatures
    need a long-form SEQUENCE length."""
    top = 2 ** (8 * size) - 1 if size != 66 else 2**521 - 1
    for r, s in [(1, 2), (top, 1), (2 ** (8 * size - 1), 2**255 + 7), (0x80, top >> 9), (top, top)]:
        der = encode_dss_signature(r, s)
        assert jose._raw_signature(der, size) == r.to_bytes(size, "big") + s.to_bytes(size, "big")


@pytest.mark.parametrize("size", [32, 48, 66], ids=["ES256", "ES384", "ES512"])
def test_raw_signature_is_framed_as_the_exact_der_openssl_verifies(size: int) -> None:
    """RFC 7518 §3.4 R || S to DER by hand: minimal INTEGERs, a zero byte before a high bit, zero as
    one byte, and the long-form SEQUENCE length of P-521, byte for byte what pyca would encode."""
    top = 2 ** (8 * size) - 1
    for r, s in [(0, 0), (1, 2), (0x7F, 0x80), (top, top), (2 ** (8 * size - 1), 2 ** (8 * size - 9)),
                 (top >> 8, 1 << 7), (top >> 1, 0xFF)]:
        raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
        assert jose._der_signature(raw, size) == encode_dss_signature(r, s)


def test_a_header_that_looks_like_a_kept_one_is_read_from_its_own_bytes() -> None:
    """Protected Headers are kept by their length and last characters: one sharing both with a kept
    header, but not its text, must never be served the kept one's contents."""
    key = jose.generate_key()
    first = jose.sign_jws({"typ": "a+jwt", "kid": "k" * 40}, {}, key)
    second = jose.sign_jws({"typ": "b+jwt", "kid": "k" * 40}, {}, key)
    one, two = first.split(".")[0], second.split(".")[0]
    assert len(one) == len(two) and one[-16:] == two[-16:] and one != two
    for token, typ in [(first, "a+jwt"), (second, "b+jwt"), (first, "a+jwt"), (second, "b+jwt")]:
        assert jose.decode_jws(token).header["typ"] == typ
        jose.verify_jws(token, key.public_key(), algorithms={"ES256"}, typ=typ)


def test_changing_a_decoded_header_does_not_change_the_next_tokens_header() -> None:
    """A kept header is copied to every caller: one caller altering its header (or the x5c and jwk
    in it) must not alter what the next token with the same header decodes to."""
    key = jose.generate_key()
    expected = {"alg": "ES256", "typ": "a+jwt", "x5c": ["AAAA"], "jwk": jose.public_jwk(key)}
    token = jose.sign_jws({k: v for k, v in expected.items() if k != "alg"}, {}, key)
    for _ in range(2):
        header = jose.decode_jws(token).header
        assert header == expected
        header["x5c"].append("BBBB")
        header["jwk"]["x"] = "changed"
        header["typ"] = "b+jwt"


@pytest.mark.parametrize("curve", [ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1()], ids=["ES256", "ES384", "ES512"])
def test_every_payload_under_one_header_is_signed_over_its_own_bytes(curve: ec.EllipticCurve) -> None:
    """The hash state of a repeated Protected Header is reused: each JWS must still verify alone."""
    key = ec.generate_private_key(curve)
    alg = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}[curve.name]
    header = {"typ": "example+jwt", "x5c": ["AAAA", "BBBB"]}
    tokens = [jose.sign_jws(header, {"n": n}, key) for n in range(3)]
    tokens.append(jose.sign_jws({"jwk": jose.public_jwk(key)}, {"n": 3}, key))  # a header not kept
    for n, token in enumerate(tokens):
        assert jose.verify_jws(token, key.public_key(), algorithms={alg}).payload == {"n": n}
    swapped = ".".join([tokens[0].split(".")[0], tokens[1].split(".")[1], tokens[0].split(".")[2]])
    with pytest.raises(IssuerSignatureError):
        jose.verify_jws(swapped, key.public_key(), algorithms={alg})
