"""Hostile input to the pure protocol layer: every malformed value is a CredentialError, never a crash.

Each case is one input a probe sent to a running service, where the error it raised deep in
``credentials`` became a 500; here the pure function is asked directly, and must answer with
the error the service turns into its protocol's 4xx (or into an invalid verdict).
"""

from __future__ import annotations

import time
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import base45
import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from credentials import authorization_code, compact, cose, dcql, pda1, sd_jwt_vc
from credentials.errors import AlgorithmError, MalformedError, ProtocolError, VctError
from credentials.jose import (
    PrivateKey,
    b64url_encode,
    generate_key,
    jwk_thumbprint,
    public_jwk,
    public_key_from_jwk,
    sign_jws,
)
from credentials.x509 import ChainValidator, load_x5c

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _anchor() -> x509.Certificate:
    key = generate_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile-test CA")])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))


# --- 1. x5c entries that are not strings ---------------------------------------------------------

NOT_STRING_X5C: list[Any] = [[[1]], [{}], [None], [1], [True], ["", "x"], [[]], "MIIB", {"a": 1}, []]


@pytest.mark.parametrize("x5c", NOT_STRING_X5C, ids=repr)
def test_an_x5c_entry_that_is_not_a_string_is_malformed_not_unhashable(x5c: Any) -> None:
    validator = ChainValidator()
    with pytest.raises(MalformedError):
        validator(x5c, [_anchor()], now=NOW)
    with pytest.raises(MalformedError):
        load_x5c(x5c)


def test_an_sd_jwt_vc_whose_x5c_holds_an_array_fails_verification_as_malformed() -> None:
    token = sign_jws({"typ": sd_jwt_vc.TYP, "x5c": [[1]]}, {"vct": pda1.VCT, "iat": int(NOW.timestamp())},
                     generate_key()) + "~"
    with pytest.raises(MalformedError):
        sd_jwt_vc.verify_vc(token, anchors=[_anchor()], now=NOW, key_binding=None, chains=ChainValidator())


# --- 2. forged offline QR codes ------------------------------------------------------------------


def _qr(payload: dict[int, Any], key: PrivateKey | None = None, *, kid: bytes = b"12345678") -> str:
    """An EP1: QR holding ``payload`` as its CWT, signed by ``key`` (a stranger's when None)."""
    raw = cose.sign1(cbor2.dumps(payload), key or generate_key(), kid=kid, tagged=False, implicit_alg=True)
    return compact.PREFIX + str(base45.b45encode(zlib.compress(cbor2.dumps([raw]), 9)).decode("ascii"))


def _good_payload(**changes: Any) -> dict[int, Any]:
    now = int(time.time())
    payload: dict[int, Any] = {compact.IAT: now - 60, compact.EXP: now + 86400,
                               compact.ESSPASS: [1, {8: "Bērziņa", 2: 20000}, None]}
    payload.update({getattr(compact, k): v for k, v in changes.items()})
    return payload


def _verify(qr: str, key: PrivateKey | None = None) -> compact.VerifiedCompact:
    parsed = compact.parse_qr(qr)
    resolved = (key or generate_key()).public_key()
    return compact.verify_compact(parsed, resolve_key=lambda *_: resolved, now=datetime.now(UTC))


@pytest.mark.parametrize("ours", [[[1], {}, None], [{}, {}, None], [None, {}, None], [True, {}, None],
                                  [1.0, {}, None], ["1", {}, None]], ids=repr)
def test_a_qr_whose_type_is_not_an_integer_is_malformed(ours: list[Any]) -> None:
    with pytest.raises((MalformedError, VctError)):
        _verify(_qr(_good_payload(ESSPASS=ours)))


@pytest.mark.parametrize("claim", ["IAT", "EXP"])
@pytest.mark.parametrize("value", [10**20, -(10**20), 2**63, -1, 253_402_300_800], ids=repr)
def test_a_qr_dated_beyond_representable_time_is_malformed_not_an_overflow(claim: str, value: int) -> None:
    signer = generate_key()  # signed by the key the verifier trusts: the date is the only fault
    with pytest.raises(MalformedError, match="date"):
        _verify(_qr(_good_payload(**{claim: value}), signer), signer)


@pytest.mark.parametrize("fields", [{8: b"bytes"}, {8: {"a": 1}}, {8: [1]}, {8: 10**30}, {8: "x" * 501},
                                    {2: "2026-01-01"}, {2: True}, {2: 10**20}], ids=repr)
def test_a_qr_field_of_the_wrong_type_is_malformed_even_when_signed(fields: dict[int, Any]) -> None:
    signer = generate_key()
    with pytest.raises(MalformedError):
        _verify(_qr(_good_payload(ESSPASS=[1, fields, None]), signer), signer)


def test_a_boolean_key_is_not_read_as_field_one() -> None:
    signer = generate_key()
    verified = _verify(_qr(_good_payload(ESSPASS=[1, {True: "LV", 8: "Bērziņa"}, None]), signer), signer)
    assert "legislation_country" not in verified.fields and verified.fields["family_name"] == "Bērziņa"


def test_a_holder_proof_still_verifies_after_the_field_checks() -> None:
    """The checks refuse forgeries, not the wallet's real QR codes."""
    signer, holder = generate_key(), generate_key()
    now = datetime.now(UTC)
    raw = compact.issue_compact(vct=pda1.VCT, claims={"legislation_country": "LV", "starting_date": "2026-01-01",
                                                      "ending_date": "2026-12-31", "status_confirmation": "01",
                                                      "document_number": "A1-1"},
                                holder={"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1990-01-01"},
                                holder_jwk=public_jwk(holder), issuer_key=signer, kid=b64url_encode(b"k" * 32),
                                iat=int(now.timestamp()) - 60, exp=int(now.timestamp()) + 3600, status=None)
    parsed = compact.parse_qr(compact.present_compact(raw, holder, now=now))
    verified = compact.verify_compact(parsed, resolve_key=lambda *_: signer.public_key(), now=now)
    assert verified.fields["family_name"] == "Bērziņa" and verified.fields["starting_date"] == "2026-01-01"
    assert verified.holder_bound


# --- 3. pushed authorization requests ---------------------------------------------------------------


def _par(**changes: str) -> dict[str, str]:
    form = {"response_type": "code", "client_id": "wallet", "code_challenge_method": "S256",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "issuer_state": "offer-1",
            "redirect_uri": "https://wallet.example/cb", "scope": "pda1"}
    form.update(changes)
    return form


@pytest.mark.parametrize("details", ["[" * 50_000, "[" * 17 + "]" * 17, "{" * 1000, '"' + "x" * 10_000 + '"',
                                     "[\ud800]"], ids=lambda d: repr(d[:12]))
def test_deep_or_huge_authorization_details_are_invalid_request_not_recursion(details: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        authorization_code.parse_pushed_request(_par(authorization_details=details))
    assert caught.value.error == "invalid_request"


@pytest.mark.parametrize("uri", ["https://[::1/", "https://[", "http://[::1", "https://[zz]/cb", "https://h:99999/",
                                 "https://h:port/"])
def test_a_redirect_uri_urlsplit_cannot_read_is_invalid_request(uri: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        authorization_code.parse_pushed_request(_par(redirect_uri=uri))
    assert caught.value.error == "invalid_request"


def test_a_repeated_parameter_is_invalid_request_rfc6749_3_1() -> None:
    with pytest.raises(ProtocolError) as caught:
        authorization_code.single_valued([("tx_code", "1234"), ("grant_type", "x"), ("tx_code", "5678")])
    assert caught.value.error == "invalid_request" and "tx_code" in caught.value.message
    assert authorization_code.single_valued([("a", "1"), ("b", "")]) == {"a": "1", "b": ""}


# --- 6. JWK members of the wrong type ------------------------------------------------------------------


def _jwk(**changes: Any) -> dict[str, Any]:
    return {**public_jwk(generate_key()), **changes}


def _odd(jwk: dict[str, Any]) -> str:
    """A test id naming what is odd in ``jwk``, not its fresh key's coordinates: the same in every
    collection (pytest-xdist's workers must collect the same tests)."""
    return repr({k: v for k, v in jwk.items() if not (k in ("x", "y") and isinstance(v, str) and len(v) == 43)})


@pytest.mark.parametrize("jwk", [_jwk(crv=["P-256"]), _jwk(crv={"a": 1}), _jwk(crv=None), _jwk(kty=["EC"]),
                                 _jwk(crv=256)], ids=_odd)
def test_a_jwk_crv_that_is_not_a_string_is_an_algorithm_error(jwk: dict[str, Any]) -> None:
    with pytest.raises(AlgorithmError):
        public_key_from_jwk(jwk)


@pytest.mark.parametrize("jwk", [_jwk(x=5), _jwk(y=[1]), _jwk(x={"a": "b"}), _jwk(y=None), _jwk(x=True),
                                 {k: v for k, v in _jwk().items() if k != "y"}, _jwk(x="AAAA"), _jwk(y="!!")],
                         ids=_odd)
def test_jwk_coordinates_that_are_not_base64url_strings_are_malformed(jwk: dict[str, Any]) -> None:
    with pytest.raises(MalformedError):
        public_key_from_jwk(jwk)


@pytest.mark.parametrize("jwk", [_jwk(x=5), {"kty": "EC"}, _jwk(crv=["P-256"])], ids=_odd)
def test_a_thumbprint_of_a_jwk_with_missing_or_odd_members_is_malformed(jwk: dict[str, Any]) -> None:
    with pytest.raises(MalformedError):
        jwk_thumbprint(jwk)


# --- 7. DCQL queries ---------------------------------------------------------------------------------

_CQ = {"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
       "claims": [{"id": "a", "path": ["document_number"]}]}
_MDOC = {"id": "m", "format": "mso_mdoc", "meta": {"doctype_value": "eu.europa.ec.eudi.pda1.1"}}

BAD_QUERIES: dict[str, Any] = {
    "not-an-object": "abc",
    "an-array": [1],
    "array-of-object": [{}],
    "no-credentials": {"foo": 1},
    "empty-credentials": {"credentials": []},
    "id-array": {"credentials": [{**_CQ, "id": ["x"]}]},
    "id-object": {"credentials": [{**_CQ, "id": {"x": 1}}]},
    "id-trailing-newline": {"credentials": [{**_CQ, "id": "pda1\n"}]},
    "claim-set-element-list": {"credentials": [{**_CQ, "claim_sets": [[["a"]]]}]},
    "claim-set-element-dict": {"credentials": [{**_CQ, "claim_sets": [[{"a": 1}]]}]},
    "claim-set-not-list": {"credentials": [{**_CQ, "claim_sets": [{"a": 1}]}]},
    "claim-id-list": {"credentials": [{**_CQ, "claims": [{"id": ["a"], "path": ["x"]}], "claim_sets": [["a"]]}]},
    "claim-sets-without-ids": {"credentials": [{**_CQ, "claims": [{"path": ["x"]}], "claim_sets": [["a"]]}]},
    "duplicate-claim-ids": {"credentials": [{**_CQ, "claims": [{"id": "a", "path": ["x"]},
                                                                {"id": "a", "path": ["y"]}]}]},
    "credential-set-option-list": {"credentials": [_CQ], "credential_sets": [{"options": [[["pda1"]]]}]},
    "credential-set-option-dict": {"credentials": [_CQ], "credential_sets": [{"options": [[{"pda1": 1}]]}]},
    "credential-set-required-text": {"credentials": [_CQ], "credential_sets": [{"options": [["pda1"]],
                                                                               "required": "no"}]},
    "mdoc-claims-number": {"credentials": [{**_MDOC, "claims": 5}]},
    "mdoc-claims-text": {"credentials": [{**_MDOC, "claims": "abc"}]},
    "mdoc-claim-not-object": {"credentials": [{**_MDOC, "claims": [5]}]},
    "path-integer-beyond-64-bits": {"credentials": [{**_CQ, "claims": [{"path": ["a", 10**30]}]}]},
    "path-integer-beyond-cap": {"credentials": [{**_CQ, "claims": [{"path": ["a", 2**31]}]}]},
    "path-negative": {"credentials": [{**_CQ, "claims": [{"path": ["a", -1]}]}]},
    "path-boolean": {"credentials": [{**_CQ, "claims": [{"path": ["a", True]}]}]},
    "path-too-long": {"credentials": [{**_CQ, "claims": [{"path": ["a"] * 17}]}]},
    "values-huge-integer": {"credentials": [{**_CQ, "claims": [{"path": ["a"], "values": [10**30]}]}]},
    "values-object": {"credentials": [{**_CQ, "claims": [{"path": ["a"], "values": [{}]}]}]},
    "unknown-member-huge-integer": {"credentials": [_CQ], "extra": 10**30},
    "nested-too-deep": {"credentials": [_CQ], "extra": [[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]},
}


@pytest.mark.parametrize("query", list(BAD_QUERIES.values()), ids=list(BAD_QUERIES))
def test_a_malformed_dcql_query_is_invalid_request(query: Any) -> None:
    with pytest.raises(ProtocolError) as caught:
        dcql.validate(query)
    assert caught.value.error == "invalid_request"


def test_well_formed_queries_still_pass() -> None:
    from verifier.service import profile_query

    for profile in ("pda1", "ehic"):
        dcql.validate(profile_query(profile))
    dcql.validate({"credentials": [{**_CQ, "claims": [{"id": "a", "path": ["x", None, 0, 2**31 - 1],
                                                       "values": ["LV", 1, True]}], "claim_sets": [["a"]]}],
                   "credential_sets": [{"options": [["pda1"]], "required": False}]})
