"""RFC 9901: issuance, holder selection, and the verifier's §7 algorithm with its attacks."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import jose, sd_jwt
from credentials.errors import (
    AlgorithmError,
    AudienceError,
    DisclosureError,
    IssuerSignatureError,
    KbFreshnessError,
    KbSignatureError,
    KeyBindingError,
    MalformedError,
    NonceError,
    SdHashError,
)
from credentials.sd_jwt import Disclosure, KeyBindingPolicy

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
IAT = int(NOW.timestamp())
ISSUER = jose.generate_key()
HOLDER = jose.generate_key()
ALGS = {"ES256"}
POLICY = KeyBindingPolicy(nonce="n-0S6_WzA2Mj", aud="x509_hash:verifier")

CLAIMS: dict[str, Any] = {
    "given_name": "Helen",
    "family_name": "Mirren",
    "address": {"street_address": "Brīvības iela 1", "locality": "Rīga", "country": "LV"},
    "nationalities": ["LV", "SE"],
    "cnf": {"jwk": jose.public_jwk(HOLDER)},
}
PATHS = [("given_name",), ("family_name",), ("address",), ("address", "street_address"), ("nationalities", None)]


def _issued(**kw: Any) -> str:
    return sd_jwt.issue(CLAIMS, sd_paths=PATHS, key=ISSUER, header={"typ": "example+sd-jwt"}, **kw)


def _verify(presentation: str, **kw: Any) -> sd_jwt.VerifiedSdJwt:
    args: dict[str, Any] = {"issuer_key": ISSUER.public_key(), "algorithms": ALGS, "key_binding": POLICY, "now": NOW}
    args.update(kw)
    return sd_jwt.verify(presentation, **args)


def _present(sd: str, select: Any = (("given_name",),), **kw: Any) -> str:
    args: dict[str, Any] = {"holder_key": HOLDER, "nonce": POLICY.nonce, "aud": POLICY.aud, "iat": IAT}
    args.update(kw)
    return sd_jwt.present(sd, select=select, **args)


def _signed(payload: dict[str, Any], disclosures: list[str], kb: str = "") -> str:
    """An issuer-signed SD-JWT with a hand-made payload: how an attacker-issuer or tamperer builds one."""
    return "~".join([jose.sign_jws({"typ": "example+sd-jwt"}, payload, ISSUER), *disclosures, kb])


def _raw(arr: list[Any]) -> str:
    return jose.b64url_encode(json.dumps(arr, ensure_ascii=False).encode())


def _d(raw: str) -> str:
    return jose.b64url_encode(hashlib.sha256(raw.encode()).digest())


# ------------------------------------------------------------------------------- test vectors


@pytest.mark.parametrize(
    ("arr", "raw", "digest"),
    [
        (["_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius"],
         "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
         "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"),
        (["lklxF5jMYlGTPUovMNIvCA", "FR"], "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0",
         "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"),
        (["2GLC42sKQveCfGfryNRN9w", "personal_administrative_number", "1234567890"],
         "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgInBlcnNvbmFsX2FkbWluaXN0cmF0aXZlX251bWJlciIsICIxMjM0NTY3ODkwIl0",
         "W7LBTYovXVfp9cv7DZTLmeIaBKSaniVpAKfB_kvC0zg"),
        (["Qg_O64zqAxe412a108iroA", "birth_date", "1996-01-30"],
         "WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgImJpcnRoX2RhdGUiLCAiMTk5Ni0wMS0zMCJd",
         "_M6XVoeoTJFe1CsHt0zAAyA_yor6_KDMuSbCLSBbMaw"),
    ],
)
def test_rfc9901_disclosure_and_digest_vectors(arr: list[Any], raw: str, digest: str) -> None:
    assert _raw(arr) == raw
    parsed = Disclosure.from_raw(raw)
    assert parsed.salt == arr[0] and parsed.value == arr[-1]
    assert parsed.digest() == digest


def test_ehic_example_processing_removes_undisclosed_array_element() -> None:
    """standards §10.1: disclosing given/family name only; nationality element stays hidden."""
    given = "WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImdpdmVuX25hbWUiLCAiSGVsZW4iXQ"
    family = "WyJlSThaV205UW5LUHBOUGVOZW5IZGhRIiwgImZhbWlseV9uYW1lIiwgIk1pcnJlbiJd"
    payload = {
        "iss": "https://issuer.ehic.example.se", "iat": 1767225600, "vct": "urn:eudi:ehic:1", "_sd_alg": "sha-256",
        "_sd": sorted([_d(given), _d(family), "W7LBTYovXVfp9cv7DZTLmeIaBKSaniVpAKfB_kvC0zg",
                       "xD4tnjWORKlbcLf1xUCPTos3Dx9v7_rf6VkAaliwXkc"]),
        "nationality": [{"...": "cn5e-Ps_v0Hc9D-nPADnV8hGrD3WGH6MSSUbm5HEvsQ"}],
        "issuing_country": "SE",
    }
    assert _d(given) == "K_VMLZ-BrWNN89J955UCZgdV6ku2LAXGm71Kvp26NNk"
    assert _d(family) == "hm1OdK5vzpD6emc0mObBXXIu4qyxXke1du0WU7ohUjo"
    out = _verify(_signed(payload, [given, family]), key_binding=None)
    assert out.claims == {"iss": "https://issuer.ehic.example.se", "iat": 1767225600, "vct": "urn:eudi:ehic:1",
                          "nationality": [], "issuing_country": "SE", "given_name": "Helen", "family_name": "Mirren"}


# ------------------------------------------------------------------------- issue and present


def test_issued_sd_jwt_has_sorted_sd_decoys_and_at_least_128_bit_salts() -> None:
    sd = _issued(decoys=3)
    parsed = sd_jwt.parse(sd, expect_kb=False)
    payload = parsed.issuer_jws.payload
    assert payload["_sd_alg"] == "sha-256"
    assert payload["_sd"] == sorted(payload["_sd"])
    assert len(payload["_sd"]) == 3 + 3  # given, family, address + 3 decoys
    assert "given_name" not in payload and "address" not in payload
    assert all(len(jose.b64url_decode(d.salt)) >= 16 for d in parsed.disclosures)  # §9.3
    assert len({d.salt for d in parsed.disclosures}) == len(parsed.disclosures)
    assert len(parsed.disclosures) == 6


def test_full_disclosure_round_trip_restores_claims() -> None:
    sd = _issued()
    assert sd_jwt.unverified_claims(sd) == CLAIMS


def test_present_only_selected_claims_with_parents_pulled_in() -> None:
    sd = _issued()
    out = _verify(_present(sd, select=[("address", "street_address"), ("nationalities", 1)]))
    assert out.claims["address"] == CLAIMS["address"]
    assert out.claims["nationalities"] == ["SE"]
    assert "given_name" not in out.claims and "family_name" not in out.claims
    assert out.kb is not None and out.kb["nonce"] == POLICY.nonce


def test_what_a_presentation_reveals_is_the_whole_disclosure_a_selected_part_lies_in() -> None:
    """§4.2.6: asked for the street of an address the issuer disclosed whole, the whole address
    leaves; the holder is shown that, not only the street."""
    sd = _issued()
    select: list[sd_jwt.ClaimPath] = [("address", "street_address"), ("nationalities", 1), ("given_name",)]
    assert sd_jwt.disclosed_for(sd, select) == [("address",), ("nationalities", 1), ("given_name",)]
    out = _verify(_present(sd, select=select))
    assert out.claims["address"] == CLAIMS["address"]


def test_selecting_a_parent_discloses_its_nested_claims() -> None:
    out = _verify(_present(_issued(), select=[("address",)]))
    assert out.claims["address"]["street_address"] == "Brīvības iela 1"


def test_presentation_without_key_binding_when_policy_does_not_require_it() -> None:
    out = _verify(sd_jwt.present(_issued(), select=[], holder_key=None, nonce=None, aud=None, iat=IAT),
                  key_binding=None)
    assert "given_name" not in out.claims and out.kb is None


def test_holder_refuses_sd_jwt_with_kb_from_issuer() -> None:
    with pytest.raises(MalformedError):
        sd_jwt.parse(_present(_issued()), expect_kb=False)


# ----------------------------------------------------------------------------------- attacks


def test_tampered_disclosure_is_rejected() -> None:
    parts = _issued().split("~")
    forged = _raw([Disclosure.from_raw(parts[1]).salt, "given_name", "Mallory"])
    presentation = "~".join([parts[0], forged, ""])
    with pytest.raises(DisclosureError):
        _verify(presentation, key_binding=None)


def test_duplicate_disclosure_is_rejected() -> None:
    parts = _issued().split("~")
    with pytest.raises(DisclosureError):
        _verify("~".join([parts[0], parts[1], parts[1], ""]), key_binding=None)


def test_digest_appearing_twice_is_rejected() -> None:
    raw = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Helen"])
    payload = {"_sd": [_d(raw)], "nested": {"_sd": [_d(raw)]}}
    with pytest.raises(DisclosureError):
        _verify(_signed(payload, [raw]), key_binding=None)


def test_unreferenced_disclosure_is_rejected() -> None:
    raw = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Helen"])
    with pytest.raises(DisclosureError):
        _verify(_signed({"_sd": []}, [raw]), key_binding=None)


def test_disclosed_claim_already_present_in_clear_is_rejected() -> None:
    raw = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Mallory"])
    with pytest.raises(DisclosureError):
        _verify(_signed({"given_name": "Helen", "_sd": [_d(raw)]}, [raw]), key_binding=None)


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_disclosure_naming_a_reserved_claim_is_rejected(name: str) -> None:
    raw = _raw(["c2FsdHNhbHRzYWx0c2FsdA", name, ["x"]])
    with pytest.raises(DisclosureError):
        _verify(_signed({"_sd": [_d(raw)]}, [raw]), key_binding=None)


def test_array_disclosure_referenced_from_sd_is_rejected() -> None:
    raw = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "LV"])
    with pytest.raises(DisclosureError):
        _verify(_signed({"_sd": [_d(raw)]}, [raw]), key_binding=None)


_ELEMENT = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "LV"])
_PROPERTY = _raw(["c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Helen"])


@pytest.mark.parametrize(("payload", "disclosures", "error"), [
    ({"a": {"_sd": None}}, [], MalformedError),
    ({"a": {"b": {"_sd": "digest"}}}, [], MalformedError),
    ({"_sd": {"digest": 1}}, [], MalformedError),
    ({"_sd": [7]}, [], MalformedError),
    ({"a": [{"x": {"...": _d(_ELEMENT)}}]}, [_ELEMENT], MalformedError),
    ({"a": [{"...": _d(_ELEMENT), "more": 1}]}, [_ELEMENT], MalformedError),
    ({"a": [{"...": 7}]}, [], MalformedError),
    ({"a": [[{"...": _d(_PROPERTY)}]]}, [_PROPERTY], DisclosureError),
    ({"a": [{"...": _d(_ELEMENT)}, {"...": _d(_ELEMENT)}]}, [_ELEMENT], DisclosureError),
    ({"a": {"b": [1, 2]}, "c": [{"_sd": [_d(_ELEMENT)]}]}, [_ELEMENT], DisclosureError),
], ids=["null-sd", "string-sd-deep", "object-sd", "number-digest", "dots-as-object-key", "dots-with-another-key",
        "number-array-digest", "property-from-array", "element-digest-twice", "element-from-sd-deep"])
def test_digests_in_the_wrong_shape_or_place_are_rejected_at_any_depth(
        payload: dict[str, Any], disclosures: list[str], error: type[Exception]) -> None:
    """§7.1 step 3: every object and array is searched, whatever it holds beside the digests."""
    with pytest.raises(error):
        _verify(_signed(payload, disclosures), key_binding=None)


def test_claims_keep_their_order_and_plain_arrays_and_objects_are_copies() -> None:
    """§7.1 step 3.b: the clear claims stay in place, disclosed ones follow; nothing is shared with
    the payload, whose _sd and _sd_alg are gone at every level."""
    payload = {"z": 1, "_sd": [_d(_PROPERTY)], "m": {"k": [1, {"x": 2}], "_sd": []}, "a": [3, [4]],
               "_sd_alg": "sha-256"}
    parsed = sd_jwt.parse(_signed(payload, [_PROPERTY], ""))
    verified = sd_jwt.verify(parsed, issuer_key=ISSUER.public_key(), algorithms=ALGS, key_binding=None, now=NOW)
    assert list(verified.claims) == ["z", "m", "a", "given_name"]
    assert verified.claims == {"z": 1, "m": {"k": [1, {"x": 2}]}, "a": [3, [4]], "given_name": "Helen"}
    signed = parsed.issuer_jws.payload
    assert verified.claims["m"]["k"] is not signed["m"]["k"] and verified.claims["a"][1] is not signed["a"][1]
    assert verified.disclosed == (("given_name",),)


def test_unknown_sd_alg_is_rejected() -> None:
    with pytest.raises(AlgorithmError):
        _verify(_signed({"_sd_alg": "md5", "_sd": []}, []), key_binding=None)


def test_alg_none_is_rejected() -> None:
    jwt = _issued().split("~")[0]
    header = jose.b64url_encode(b'{"alg":"none","typ":"example+sd-jwt"}')
    forged = header + jwt[jwt.index("."):]
    with pytest.raises(AlgorithmError):
        _verify(forged + "~", key_binding=None)


def test_signature_by_another_issuer_is_rejected() -> None:
    with pytest.raises(IssuerSignatureError):
        _verify(_issued(), key_binding=None, issuer_key=jose.generate_key().public_key())


def test_missing_kb_when_required_is_rejected() -> None:
    with pytest.raises(KeyBindingError) as err:
        _verify(sd_jwt.present(_issued(), select=[], holder_key=None, nonce=None, aud=None, iat=IAT))
    assert err.value.code == "key_binding"


def test_kb_for_another_nonce_is_rejected() -> None:
    with pytest.raises(NonceError):
        _verify(_present(_issued(), nonce="another"))


def test_kb_for_another_audience_is_rejected() -> None:
    with pytest.raises(AudienceError):
        _verify(_present(_issued(), aud="x509_hash:someone-else"))


def test_stale_kb_is_rejected() -> None:
    with pytest.raises(KbFreshnessError):
        _verify(_present(_issued(), iat=IAT - 3600))


def test_kb_from_the_future_is_rejected() -> None:
    with pytest.raises(KbFreshnessError):
        _verify(_present(_issued(), iat=IAT + 3600))


def test_kb_signed_by_another_key_is_rejected() -> None:
    with pytest.raises(KbSignatureError):
        _verify(_present(_issued(), holder_key=jose.generate_key()))


def test_kb_with_wrong_sd_hash_is_rejected() -> None:
    """Dropping a disclosure after the KB-JWT was made changes what sd_hash covers."""
    presentation = _present(_issued(), select=[("given_name",), ("family_name",)])
    parts = presentation.split("~")
    with pytest.raises(SdHashError):
        _verify("~".join([parts[0], parts[1], parts[-1]]))


@pytest.mark.parametrize(("curve", "alg", "sd_alg"), [
    (ec.SECP256R1(), "ES256", "sha-256"), (ec.SECP384R1(), "ES384", "sha-384"), (ec.SECP256R1(), "ES256", "sha-384"),
    (ec.SECP384R1(), "ES384", "sha-256"), (ec.SECP521R1(), "ES512", "sha-512"),
], ids=["ES256-sha256", "ES384-sha384", "ES256-sha384", "ES384-sha256", "ES512-sha512"])
def test_sd_hash_covers_every_presented_byte_whichever_hash_the_issuer_signed_with(
        curve: ec.EllipticCurve, alg: str, sd_alg: str) -> None:
    """sd_hash (§4.3.1) is checked over the whole presented SD-JWT, also when it reuses the issuer
    signature's hash of the signing input: Disclosures reordered or left out after the KB-JWT was
    made are refused, whether or not the issuer's hash is the _sd_alg one."""
    issuer = ec.generate_private_key(curve)
    issued = sd_jwt.issue(CLAIMS, sd_paths=PATHS, key=issuer, header={"typ": "example+sd-jwt"}, hash_alg=sd_alg)
    presentation = _present(issued, select=[("given_name",), ("family_name",)])
    args: dict[str, Any] = {"issuer_key": issuer.public_key(), "algorithms": {alg, "ES256"}, "hash_algs": (sd_alg,)}
    assert _verify(presentation, **args).claims["given_name"] == "Helen"
    jwt, first, second, kb = presentation.split("~")
    with pytest.raises(SdHashError):
        _verify("~".join([jwt, second, first, kb]), **args)  # the same Disclosures, another order
    with pytest.raises(SdHashError):
        _verify("~".join([jwt, first, kb]), **args)


def test_kb_with_wrong_typ_is_rejected() -> None:
    presentation = _present(_issued())
    head, kb = presentation.rsplit("~", 1)
    body = jose.decode_jws(kb).payload
    forged = jose.sign_jws({"typ": "JWT"}, body, HOLDER)
    with pytest.raises(KeyBindingError):
        _verify(f"{head}~{forged}")


def test_oversized_input_is_malformed() -> None:
    with pytest.raises(MalformedError):
        _verify("a" * 300_000 + "~", key_binding=None)


def test_deeply_nested_input_is_malformed() -> None:
    deep: Any = "x"
    for _ in range(40):
        deep = {"a": deep}
    with pytest.raises(MalformedError):
        _verify(_signed({"deep": deep}, []), key_binding=None)


def test_policy_not_token_decides_key_binding() -> None:
    """A KB-JWT present when the policy needs none is ignored, not trusted."""
    out = _verify(_present(_issued()), key_binding=None)
    assert out.kb is None


def test_kb_window_is_measured_from_now() -> None:
    presentation = _present(_issued())
    _verify(presentation, now=NOW + timedelta(seconds=POLICY.max_age - 1))
    with pytest.raises(KbFreshnessError):
        _verify(presentation, now=NOW + timedelta(seconds=POLICY.max_age + 1))
