"""OpenID4VP 1.0 (final) and HAIP 1.0 presentation rules, one test per requirement or attack.

The first part checks the transport-free core (``credentials.openid4vp``, ``credentials.dcql``)
against the spec's sentences; the second runs the real registry, issuer and verifier on loopback
ports with the reference wallet holding Anna's PID and PDA1, and a stand-in request_uri (a small
FastAPI app) where a test needs a request our verifier would never make.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from jwcrypto import jwk

from credentials import dcql, openid4vp, pda1, pid
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import ClaimError, IssuerTrustError, ProtocolError
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import b64url_decode, b64url_encode, decode_jws, sign_jws, verify_jws
from credentials.openid4vp import RequestRejected, error_response_form, verify_request_object
from credentials.pki import DemoPki, create_demo_pki, load_demo_pki
from credentials.sd_jwt import present
from credentials.x509 import load_x5c, x5c_header, x509_hash
from esspass.stack import Inspector, InspectorAuth, Stack, start_in_process, verifier_replica, wallet_holding
from esspass.testing import serve
from verifier.service import VerifierService
from verifier.settings import VerifierSettings
from wallet.keys import load_key

VERIFIER = "LV:VDI"
PERSON = DEMO_PERSONS[0]

# --- the core, without servers -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(Path(tmp_path_factory.mktemp("pki")), DEMO_ENTITIES, now=datetime.now(UTC))


def _signed(pki: DemoPki, *, client_id: str | None = None, **claims: Any) -> tuple[str, str]:
    """A Request Object signed with LV:VDI's access certificate; ``None`` removes a claim."""
    key, chain = pki.access[VERIFIER]
    client_id = client_id or f"x509_hash:{x509_hash(chain[0])}"
    now = int(time.time())
    payload = {
        "client_id": client_id, "aud": openid4vp.STATIC_AUDIENCE, "response_type": "vp_token",
        "response_mode": "direct_post", "response_uri": "https://localhost:8103/responses/1",
        "nonce": "n-0S6_WzA2Mj", "state": "st4te", "iat": now, "exp": now + 300,
        "dcql_query": {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                                        "claims": [{"path": ["legislation_country"]}]}]},
    } | claims
    payload = {k: v for k, v in payload.items() if v is not None}
    return sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": x5c_header(chain)}, payload, key), client_id


def _check(pki: DemoPki, token: str, client_id: str, now: datetime) -> openid4vp.RequestCheck:
    return verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                                 anchors=[pki.cas[VERIFIER][1]], now=now)


def _enc_metadata(**overrides: Any) -> dict[str, Any]:
    public = json.loads(jwk.JWK.generate(kty="EC", crv="P-256").export_public())
    key = {**public, "use": "enc", "alg": "ECDH-ES", "kid": "k1"} | overrides
    return {"jwks": {"keys": [{k: v for k, v in key.items() if v is not None}]},
            "encrypted_response_enc_values_supported": ["A128GCM", "A256GCM"],
            "vp_formats_supported": openid4vp.VP_FORMATS_SUPPORTED}


@pytest.mark.parametrize("aud", [
    "https://wallet.other.example",  # minted for a wallet found by dynamic discovery
    ["https://wallet.other.example"],
    "x509_hash:someone",
    7,
])
def test_a_request_object_addressed_to_another_wallet_is_refused(pki: DemoPki, now: datetime, aud: Any) -> None:
    """§5.8 and RFC 7519 §4.1.3: a wallet known by static discovery is ``https://self-issued.me/v2``;
    a Request Object whose ``aud`` does not name it is not for it."""
    token, client_id = _signed(pki, aud=aud)
    with pytest.raises(ProtocolError) as info:
        _check(pki, token, client_id, now)
    assert info.value.error == "invalid_request" and "aud" in info.value.message


@pytest.mark.parametrize("aud", [openid4vp.STATIC_AUDIENCE, [openid4vp.STATIC_AUDIENCE, "https://x.example"], None])
def test_a_request_object_for_the_static_audience_or_without_one_is_accepted(pki: DemoPki, now: datetime,
                                                                              aud: Any) -> None:
    token, client_id = _signed(pki, aud=aud)
    assert _check(pki, token, client_id, now).client_id == client_id


def test_a_request_object_not_valid_yet_is_refused(pki: DemoPki, now: datetime) -> None:
    """RFC 7519 §4.1.5: not accepted before ``nbf``."""
    token, client_id = _signed(pki, nbf=int(time.time()) + 600)
    with pytest.raises(ProtocolError, match="nbf"):
        _check(pki, token, client_id, now)


@pytest.mark.parametrize("client_id", [
    "origin:https://verifier.example",  # reserved for the DC API: never accepted in a request (§5.9.3)
    "redirect_uri:https://verifier.example/cb",  # cannot be signed (§5.9.3)
    "decentralized_identifier:did:example:123",
    "pre-registered-verifier",
])
def test_an_unsupported_client_id_prefix_is_invalid_request(pki: DemoPki, now: datetime, client_id: str) -> None:
    """§8.5: "The Wallet does not support the Client Identifier Prefix passed in the Authorization
    Request" is ``invalid_request`` (not ``invalid_client``)."""
    token, _ = _signed(pki, client_id=client_id)
    with pytest.raises(ProtocolError) as info:
        _check(pki, token, client_id, now)
    assert info.value.error == "invalid_request"
    assert not isinstance(info.value, RequestRejected)  # an unauthenticated requester is told nothing


def test_x509_hash_of_another_certificate_is_refused(pki: DemoPki, now: datetime) -> None:
    """§5.9.3 ``x509_hash``: the hash of the very leaf that signed, not of any listed certificate."""
    token, client_id = _signed(pki, client_id=f"x509_hash:{x509_hash(pki.cas[VERIFIER][1])}")
    with pytest.raises(IssuerTrustError):
        _check(pki, token, client_id, now)


@pytest.mark.parametrize("metadata", [
    {},  # no jwks at all
    _enc_metadata(alg=None),  # "The alg parameter MUST be present in the JWKs" (§8.3)
    _enc_metadata(alg="RSA-OAEP-256"),
    _enc_metadata(crv="P-384"),
    {**_enc_metadata(), "encrypted_response_enc_values_supported": ["A192GCM"]},
    {**_enc_metadata(), "encrypted_response_enc_values_supported": "A256GCM"},  # a string, not an array
])
def test_a_direct_post_jwt_request_that_cannot_be_encrypted_to_is_refused_before_consent(
        pki: DemoPki, now: datetime, metadata: dict[str, Any]) -> None:
    """§8.3: the answer is encrypted to a ``client_metadata.jwks`` key with the JWE ``alg`` of its
    ``alg`` and an ``enc`` the verifier lists. A request the wallet could not encrypt to is refused
    when it arrives, not after the worker consented (the answer was then lost), and the verifier may
    be told so in plain (§8.3.1: "it MAY send an error response without encryption")."""
    token, client_id = _signed(pki, response_mode="direct_post.jwt", client_metadata=metadata)
    with pytest.raises(RequestRejected) as info:
        _check(pki, token, client_id, now)
    assert info.value.error == "invalid_request"
    assert error_response_form(info.value.payload, info.value.error, info.value.message) == {
        "error": "invalid_request", "error_description": info.value.message, "state": "st4te"}


def test_a_direct_post_jwt_request_with_a_usable_key_is_accepted(pki: DemoPki, now: datetime) -> None:
    token, client_id = _signed(pki, response_mode="direct_post.jwt", client_metadata=_enc_metadata())
    assert _check(pki, token, client_id, now).payload["response_mode"] == "direct_post.jwt"


def test_a_redirect_uri_beside_a_response_uri_is_answered_with_invalid_request(pki: DemoPki, now: datetime) -> None:
    """§8.2: "If the redirect_uri Authorization Request parameter is present when the Response Mode
    is direct_post, the Wallet MUST return an invalid_request Authorization Response error"."""
    token, client_id = _signed(pki, redirect_uri="https://localhost:8103/cb")
    with pytest.raises(RequestRejected) as info:
        _check(pki, token, client_id, now)
    assert info.value.error == "invalid_request"
    assert info.value.payload["response_uri"] == "https://localhost:8103/responses/1"


@pytest.mark.parametrize("claim", ["nonce", "state"])
def test_a_nonce_or_state_with_a_trailing_newline_is_refused(pki: DemoPki, now: datetime, claim: str) -> None:
    """§5.2: ``nonce`` and ``state`` "MUST only contain ASCII URL safe characters"; a regular
    expression ending in ``$`` also matches before a final newline."""
    token, client_id = _signed(pki, **{claim: "n-0S6_WzA2Mj\n"})
    with pytest.raises(ProtocolError) as info:
        _check(pki, token, client_id, now)
    assert info.value.error == "invalid_request"


@pytest.mark.parametrize(("claim", "values"), [
    ("flag", [1]),  # true is not the integer 1
    ("one", [True]),  # nor 1 the boolean true
    ("one", ["1"]),  # nor the string "1"
    ("text", [1]),
])
def test_dcql_values_match_type_and_value_exactly(claim: str, values: list[Any]) -> None:
    """§6.3 ``values``: "the type and value of the claim both match exactly"."""
    held = [dcql.HeldCredential("p", pda1.VCT, {"flag": True, "one": 1, "text": "1"}, frozenset())]
    query = {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                              "claims": [{"path": [claim], "values": values}]}]}
    assert not dcql.match(query, held).satisfiable
    with pytest.raises(ClaimError):  # nor does the verifier take it
        dcql.check_response(query, {"q": [(pda1.VCT, held[0].claims, [(claim,)])]})


@pytest.mark.parametrize(("claim", "values"), [("flag", [True]), ("one", [2, 1]), ("text", ["1"])])
def test_dcql_values_of_the_same_type_and_value_match(claim: str, values: list[Any]) -> None:
    held = [dcql.HeldCredential("p", pda1.VCT, {"flag": True, "one": 1, "text": "1"}, frozenset())]
    query = {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                              "claims": [{"path": [claim], "values": values}]}]}
    assert dcql.match(query, held).selection == {"q": ("p", ((claim,),))}


_CQ = {"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]}}


@pytest.mark.parametrize("change", [
    {"multiple": "false"},  # a string is truthy: several presentations would be taken for one
    {"multiple": 0},
    {"require_cryptographic_holder_binding": "no"},
    {"trusted_authorities": []},
    {"trusted_authorities": [{"type": "aki"}]},
    {"trusted_authorities": [{"type": "aki", "values": [b"x".hex(), 5]}]},
    {"claims": [{"path": ["a"], "intent_to_retain": "yes"}]},
])
def test_dcql_members_of_the_wrong_type_are_invalid_request(change: dict[str, Any]) -> None:
    """§6.1 ``multiple`` and ``require_cryptographic_holder_binding`` are booleans, §6.1.1
    ``trusted_authorities`` a non-empty array of {type, values: non-empty array of strings}."""
    with pytest.raises(ProtocolError) as info:
        dcql.validate({"credentials": [{**_CQ, **change}]})
    assert info.value.error == "invalid_request"


def test_dcql_trusted_authorities_and_flags_of_the_right_type_are_valid() -> None:
    aki = {"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}
    dcql.validate({"credentials": [{**_CQ, "multiple": True, "require_cryptographic_holder_binding": True,
                                    "trusted_authorities": [aki]}]})


def test_trusted_authorities_aki_keeps_only_credentials_from_those_authorities(pki: DemoPki) -> None:
    """§6.1.1.1 ``aki`` (HAIP §5: MUST be supported): the KeyIdentifier of an AuthorityKeyIdentifier
    in the credential's chain, base64url; a credential whose chain has none of them is not offered."""
    from cryptography.x509 import SubjectKeyIdentifier

    ca = pki.cas["LV:VSAA"][1]
    ski = ca.extensions.get_extension_for_class(SubjectKeyIdentifier).value.digest
    akis = dcql.authority_key_ids(pki.signers["LV:VSAA"][1])
    assert akis == {b64url_encode(ski)}
    held = [dcql.HeldCredential("other", pda1.VCT, {}, frozenset(), authority_key_ids=frozenset({"c29tZW9uZQ"})),
            dcql.HeldCredential("vsaa", pda1.VCT, {}, frozenset(), authority_key_ids=akis)]
    query = {"credentials": [{**_CQ, "trusted_authorities": [{"type": "aki", "values": [b64url_encode(ski)]}]}]}
    assert dcql.match(query, held).selection == {"q": ("vsaa", ())}
    query["credentials"][0]["trusted_authorities"] = [{"type": "aki", "values": ["bm9ib2R5"]}]
    assert not dcql.match(query, held).satisfiable
    # A type the wallet cannot evaluate here rules nothing out; the verifier checks trust itself.
    query["credentials"][0]["trusted_authorities"] = [{"type": "etsi_tl", "values": ["https://lotl.example"]}]
    assert dcql.match(query, held).satisfiable


# --- the services ---------------------------------------------------------------------------------------


class World:
    def __init__(self, stack: Stack, http: httpx.Client, wallet: Any, pki: DemoPki) -> None:
        self.stack, self.http, self.wallet, self.pki = stack, http, wallet, pki
        self.inspector = Inspector(stack.verifier_url, http)

    def request_object(self, request: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = decode_jws(self.http.get(request["request_uri"]).text).payload
        return payload

    def held(self, vct: str) -> Any:
        return next(c for c in self.wallet.credentials() if c.vct == vct and c.format == "dc+sd-jwt")

    def vp_token(self, payload: dict[str, Any], *, aud: str | None = None) -> dict[str, list[str]]:
        out = {}
        for qid, vct in (("pda1", pda1.VCT), ("pid", pid.VCT)):
            cred = self.held(vct)
            query = next(q for q in payload["dcql_query"]["credentials"] if q["id"] == qid)
            paths = [tuple(c["path"]) for c in query["claims"] if c["path"][0] in cred.claims]
            out[qid] = [present(cred.credential, select=paths, holder_key=load_key(cred.private_key),
                                nonce=payload["nonce"], aud=aud or payload["client_id"], iat=int(time.time()))]
        return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("openid4vp")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, data_dir, http, PERSON)
        yield World(stack, http, wallet, load_demo_pki(data_dir / "pki"))
        wallet.http.close()


@contextmanager
def _verifier(world: World, **options: Any) -> Iterator[tuple[VerifierService, str]]:
    """Another replica of the stack's verifier (same database), whose service a test may set up;
    ``options`` are further settings."""
    with verifier_replica(world.stack, **options) as found:
        yield found


@contextmanager
def _request_uri(token: str) -> Iterator[str]:
    """A request_uri serving ``token`` (a Request Object our verifier would not make itself)."""
    app = FastAPI()

    @app.get("/request")
    def request_object() -> PlainTextResponse:
        return PlainTextResponse(token, media_type="application/oauth-authz-req+jwt")

    with serve(app) as handle:
        yield f"{handle.url}/request"


def _resigned(world: World, request: dict[str, Any], **changes: Any) -> tuple[str, str]:
    """The verifier's own Request Object for ``request`` with ``changes`` (None removes a claim),
    signed again with its access key: a link to it, as a faulty verifier would make."""
    token = world.http.get(request["request_uri"]).text
    unverified = decode_jws(token)
    payload = {k: v for k, v in ({**unverified.payload, **changes}).items() if v is not None}
    key, _ = world.pki.access[VERIFIER]
    return sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": unverified.header["x5c"]}, payload, key), \
        payload["client_id"]


def _link(client_id: str, request_uri: str) -> str:
    return f"openid4vp://?client_id={quote(client_id, safe='')}&request_uri={quote(request_uri, safe='')}"


@pytest.mark.parametrize("query", [
    {"credentials": [{"id": "w", "format": "jwt_vc_json", "meta": {"type_values": [["IdentityCredential"]]}}]},
    {"credentials": [{"id": "w", "format": "ldp_vc", "meta": {}}]},
    {"credentials": [{"id": "p", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                      "require_cryptographic_holder_binding": False}]},
])
def test_the_verifier_asks_only_for_what_it_can_verify(world: World, query: dict[str, Any]) -> None:
    """§11.1 ``vp_formats_supported`` lists dc+sd-jwt and mso_mdoc, and every presentation must be
    key-bound (§8.6): a query for another format, or waiving holder binding, is ``invalid_request``
    when the request is made and at ``POST /verify``, never a request whose answer crashes (500)."""
    response = world.http.post(f"{world.stack.verifier_url}/api/requests", json={"dcql_query": query})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text
    qid = query["credentials"][0]["id"]
    response = world.http.post(f"{world.stack.verifier_url}/verify", json={
        "vp_token": {qid: ["eyJhbGciOiJFUzI1NiJ9.e30.c2ln~"]}, "dcql_query": query,
        "nonce": "n-123456789", "audience": "x509_hash:test"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text


def test_request_uri_method_post_signs_the_wallets_nonce_into_the_request(world: World) -> None:
    """§5.10: with ``request_uri_method=post`` the wallet POSTs ``wallet_metadata`` and
    ``wallet_nonce``; the answer (``application/oauth-authz-req+jwt``) is the Request Object signed
    with that ``wallet_nonce``, so a recorded one cannot be replayed to the wallet. A GET still gets
    the Request Object (wallets without POST, §5.1)."""
    with _verifier(world) as (service, url):
        service.request_uri_method = "post"
        request = Inspector(url, world.http).request("pda1")
        assert request["link"].endswith("&request_uri_method=post")
        response = world.http.post(request["request_uri"], data={
            "wallet_nonce": "qPmxiNFCR3QTm19POc8u", "wallet_metadata": json.dumps({"vp_formats_supported": {}})},
            headers={"Accept": "application/oauth-authz-req+jwt"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/oauth-authz-req+jwt")
        header = decode_jws(response.text).header
        signed = verify_jws(response.text, load_x5c(header["x5c"])[0].public_key(),  # type: ignore[arg-type]
                            algorithms=("ES256",), typ=openid4vp.REQUEST_TYP)
        assert signed.payload["wallet_nonce"] == "qPmxiNFCR3QTm19POc8u"
        assert signed.payload["aud"] == openid4vp.STATIC_AUDIENCE
        assert "wallet_nonce" not in world.request_object(request)
        # The reference wallet takes the POST path and checks its nonce came back.
        consent = world.wallet.open_request(request["link"], "en")
        world.wallet.share(consent.id)
        assert Inspector(url, world.http).result(request)["verdict"]["verdict"] == "valid"


@pytest.mark.parametrize("form", [
    {"wallet_metadata": "[1]"},  # not a JSON object
    {"wallet_metadata": "{"},
    {"wallet_nonce": "has spaces"},
    {"wallet_nonce": "x" * 600},
    {"wallet_nonce": "trailing-newline\n"},
])
def test_a_malformed_request_uri_post_is_invalid_request(world: World, form: dict[str, str]) -> None:
    with _verifier(world, request_uri_method="post") as (_service, url):
        request = Inspector(url, world.http).request("pda1")
        response = world.http.post(request["request_uri"], data=form)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text
        response = world.http.post(request["request_uri"], content=b"{}",
                                   headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text


def test_the_request_uri_takes_a_post_only_when_request_uri_method_is_post(world: World) -> None:
    """§5.10: the wallet POSTs to the request_uri only when the link says ``request_uri_method=post``.
    A verifier whose links say ``get`` (the default) signs nothing for a POST: 405 with an OAuth
    error body and ``Allow: GET``, whatever the body holds, never a 500; the GET still serves."""
    request = world.inspector.request("pda1")
    assert "request_uri_method" not in request["link"]
    bodies: list[dict[str, Any]] = [{"data": {"wallet_nonce": "qPmxiNFCR3QTm19POc8u"}}, {"data": {}},
                                    {"content": b"{}", "headers": {"Content-Type": "application/json"}}]
    for body in bodies:
        response = world.http.post(request["request_uri"], **body)
        assert response.status_code == 405, response.text
        assert response.json()["error"] == "invalid_request" and "post" in response.json()["error_description"]
        assert response.headers["allow"] == "GET"
    response = world.http.post(f"{world.stack.verifier_url}/requests/unknown", data={"wallet_nonce": "abc"})
    assert response.status_code == 405 and response.json()["error"] == "invalid_request", response.text
    assert world.http.get(request["request_uri"]).status_code == 200


def test_a_transaction_signs_at_most_three_wallet_nonce_posts_counted_across_replicas(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The request_uri is open to anyone who sees the QR code, and each ``wallet_nonce`` POST costs a
    signature by the access key (in an HSM, one at a time per process): a transaction answers at most
    three such POSTs, counted in its row so that every replica shares the count; then 429 with an
    OAuth error and no signature. The GET (the Request Object as made) is not limited."""
    signed: list[dict[str, Any]] = []
    real = openid4vp.sign_request

    def counting(payload: dict[str, Any], **kwargs: Any) -> str:
        signed.append(payload)
        return real(payload, **kwargs)

    monkeypatch.setattr(openid4vp, "sign_request", counting)
    with _verifier(world, request_uri_method="post") as (_a, first), \
            _verifier(world, request_uri_method="post") as (_b, second):
        request = Inspector(first, world.http).request("pda1")
        signed.clear()
        tx_id = request["request_uri"].rsplit("/", 1)[1]
        for n, url in enumerate((first, second, first)):
            response = world.http.post(f"{url}/requests/{tx_id}", data={"wallet_nonce": f"nonce-{n}"})
            assert response.status_code == 200, response.text
            assert decode_jws(response.text).payload["wallet_nonce"] == f"nonce-{n}"
        assert len(signed) == 3
        for url in (second, first):
            response = world.http.post(f"{url}/requests/{tx_id}", data={"wallet_nonce": "one-more"})
            assert response.status_code == 429, response.text
            assert response.json()["error"] == "invalid_request" and response.headers["cache-control"] == "no-store"
        assert len(signed) == 3
        assert "wallet_nonce" not in decode_jws(world.http.get(request["request_uri"]).text).payload
        # Another transaction has its own count.
        other = Inspector(second, world.http).request("pda1")
        assert world.http.post(other["request_uri"], data={"wallet_nonce": "fresh"}).status_code == 200


def test_an_answer_after_the_request_expired_is_refused(world: World) -> None:
    """The transaction lives ``request_ttl`` seconds: an answer made in time but arriving after
    that is refused, and the request_uri no longer serves the request."""
    with _verifier(world) as (service, url):
        request = Inspector(url, world.http).request("pda1", response_mode="direct_post")
        payload = world.request_object(request)
        form = openid4vp.build_response_form(payload, {"vp_token": world.vp_token(payload)})
        later = datetime.now(UTC) + timedelta(seconds=service.request_ttl + 5)
        service.clock = lambda: later
        response = world.http.post(payload["response_uri"], data=form)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
        assert "expired" in response.json()["error_description"]
        assert world.http.get(request["request_uri"]).status_code == 410


def test_each_inspection_tells_the_wallet_its_own_purpose_in_every_language_of_the_pages(world: World) -> None:
    """The wallet shows the worker why the inspectorate asks (consent). The EHIC inspection used to
    give the A1's purpose, in English only. Each profile has its own; ``purpose`` (OpenID4VP 1.0 defines
    none: a parameter of ours, which other wallets ignore, §5) is in English, and ``purpose#<lang>``
    gives it in each language of the pages, tagged as human-readable metadata is (RFC 7591 §2.2). A
    purpose the inspectorate's system gives is sent as given."""
    ehic = world.request_object(world.inspector.request("ehic"))
    a1 = world.request_object(world.inspector.request("pda1"))
    assert "Health Insurance Card" in ehic["purpose"] and "A1" not in ehic["purpose"]
    assert "A1" in a1["purpose"] and "Health" not in a1["purpose"]
    assert "Krankenversicherungskarte" in ehic["purpose#de"] and "Ubezpieczenia Zdrowotnego" in ehic["purpose#pl"]
    assert {k for k in a1 if k.startswith("purpose#")} == {"purpose#lv", "purpose#de", "purpose#fr", "purpose#pl"}
    consent = world.wallet.open_request(world.inspector.request("ehic")["link"], "en")
    assert consent.purpose == ehic["purpose"]
    world.wallet.decline(consent.id)
    # The reference wallet shows the worker the purpose in the worker's language.
    latvian = world.wallet.open_request(world.inspector.request("ehic")["link"], "lv")
    assert latvian.purpose == ehic["purpose#lv"] != ehic["purpose"]
    world.wallet.decline(latvian.id)
    own = world.request_object(world.inspector.request("pda1", purpose="Kontrole būvlaukumā"))
    assert own["purpose"] == "Kontrole būvlaukumā" and not any(k.startswith("purpose#") for k in own)


def test_the_wallets_record_gives_each_purpose_in_the_language_it_is_read_in(world: World) -> None:
    """The worker's record of a request answered with the pages in Latvian reads in German when the
    pages are in German later: it keeps the purpose in every language the request gave, not only the
    one of the moment; a purpose given in one language only is that one in every language."""
    ehic = world.request_object(world.inspector.request("ehic"))
    consent = world.wallet.open_request(world.inspector.request("ehic")["link"], "lv")
    world.wallet.decline(consent.id)
    own = world.wallet.open_request(world.inspector.request("pda1", purpose="Kontrole būvlaukumā")["link"], "fr")
    world.wallet.decline(own.id)
    entries = world.wallet.log()
    tagged = next(e for e in entries if e.purpose == ehic["purpose#lv"])  # what the worker was shown
    untagged = next(e for e in entries if e.purpose == "Kontrole būvlaukumā")
    assert tagged.purpose_in("de") == ehic["purpose#de"] and tagged.purpose_in("en") == ehic["purpose"]
    assert {untagged.purpose_in(lang) for lang in ("en", "lv", "de", "fr", "pl")} == {"Kontrole būvlaukumā"}


def test_an_unanswered_request_past_its_time_is_expired_for_the_page_and_the_api(world: World) -> None:
    """Once a request's time is up with no answer, its status is ``expired``, never ``pending`` for
    ever: the inspector's waiting page and an integrator's system polling ``status_url`` (or
    ``result_url``) can tell that its QR code is dead and a new check is needed. The verdict page
    shows no verdict for it (back to the waiting page, which says so). An answered one stays answered."""
    with _verifier(world) as (service, url):
        inspector = Inspector(url, world.http)
        unanswered = inspector.request("pda1")
        answered = inspector.request("pda1", response_mode="direct_post")
        payload = world.request_object(answered)
        form = openid4vp.build_response_form(payload, {"vp_token": world.vp_token(payload)})
        assert world.http.post(payload["response_uri"], data=form).status_code == 200
        assert world.http.get(f"{url}{unanswered['status_url']}").json() == {"status": "pending"}
        later = datetime.now(UTC) + timedelta(seconds=service.request_ttl + 1)
        service.clock = lambda: later
        assert world.http.get(f"{url}{unanswered['status_url']}").json() == {"status": "expired"}
        assert world.http.get(f"{url}{unanswered['result_url']}").json() == {"status": "expired"}
        page = world.http.get(f"{url}/inspect/{unanswered['transaction_id']}/verdict?lang=en")
        assert page.status_code == 303 and page.headers["location"] == f"/inspect/{unanswered['transaction_id']}"
        assert world.http.get(f"{url}{answered['status_url']}").json() == {"status": "done"}


@pytest.mark.parametrize("slow", ["decrypting", "verifying"])
def test_an_answer_racing_the_deadline_is_shown_or_refused_never_lost(world: World, monkeypatch: pytest.MonkeyPatch,
                                                                      slow: str) -> None:
    """An answer is taken only if the transaction is claimed before its deadline, by the time of the
    claim (decrypting the answer takes a moment), and the page is told ``expired`` only once the
    transaction is closed to answers in the database. A status poll landing while the answer is being
    read either finds it expired, and the answer is then refused, or finds it taken ("pending"), and
    the verdict follows. Before, the poll said ``expired`` (verifier.js stops for good and removes the
    QR code), yet the answer was accepted and recorded: the inspector never saw the verdict."""
    with _verifier(world) as (service, url):
        request = Inspector(url, world.http).request("pda1", response_mode="direct_post")
        payload = world.request_object(request)
        tx = service.get(payload["response_uri"].rsplit("/", 1)[1])
        clock = {"now": datetime.fromtimestamp(tx.expires - 0.5, UTC)}  # the answer arrives in time
        service.clock = lambda: clock["now"]
        polled: list[str] = []

        def past_the_deadline_polled(step: Any) -> Any:
            def slowly(*args: Any, **kwargs: Any) -> Any:
                out = step(*args, **kwargs)
                clock["now"] = datetime.fromtimestamp(tx.expires + 0.5, UTC)
                polled.append(service.result(request["transaction_id"])["status"])  # the page polls now
                return out
            return slowly

        if slow == "decrypting":
            monkeypatch.setattr(openid4vp, "parse_response", past_the_deadline_polled(openid4vp.parse_response))
        else:
            monkeypatch.setattr(service, "verify", past_the_deadline_polled(service.verify))
        form = openid4vp.build_response_form(payload, {"vp_token": world.vp_token(payload)})
        answered = world.http.post(payload["response_uri"], data=form)
        final = service.result(request["transaction_id"])["status"]
        if slow == "decrypting":  # claimed after the deadline: expired for the page and the wallet alike
            assert (polled, answered.status_code, final) == (["expired"], 400, "expired")
            assert "expired" in answered.json()["error_description"]
        else:  # claimed in time: the page keeps waiting and gets the verdict
            assert (polled, answered.status_code, final) == (["pending"], 200, "done")


@pytest.mark.parametrize("prefix", ["x509_hash", "x509_san_dns"])
def test_a_kb_jwt_for_the_client_id_without_its_prefix_is_refused(world: World, prefix: str) -> None:
    """§5.9.1, §14.1.2: the presentation's audience is the full Client Identifier, prefix included."""
    # §5.9.3: x509_san_dns from a verifier on the host its certificate names (the pilot's: localhost).
    with verifier_replica(world.stack, host="localhost" if prefix == "x509_san_dns" else "127.0.0.1") as (_, url):
        inspector = Inspector(url, world.http)
        request = inspector.request("pda1", response_mode="direct_post", client_id_prefix=prefix)
        payload = world.request_object(request)
        vp = world.vp_token(payload, aud=payload["client_id"].partition(":")[2])
        response = world.http.post(payload["response_uri"],
                                   data=openid4vp.build_response_form(payload, {"vp_token": vp}))
        assert response.status_code == 200
        verdict = inspector.result(request)["verdict"]
    assert verdict["verdict"] == "invalid"
    steps = {f"{c['query_id']}.{s['code']}": s["result"] for c in verdict["credentials"] for s in c["steps"]}
    assert steps["pda1.key_binding"] == steps["pid.key_binding"] == "failed"


@pytest.mark.parametrize("error", ["access_denied\\", 'a"b', "x" * 65, "refusé", "line\nbreak", "access_denied\n",
                                   ""])
def test_an_error_that_is_not_an_rfc6749_code_is_invalid_request(world: World, error: str) -> None:
    """RFC 6749 §4.1.2.1 (§8.5): an error code is printable ASCII without ``"`` or ``\\``; anything
    else is a malformed answer, not recorded as the wallet's; the wallet's own refusal still is."""
    request = world.inspector.request("pda1", response_mode="direct_post")
    payload = world.request_object(request)
    response = world.http.post(payload["response_uri"], data={"error": error, "state": payload["state"]})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert world.inspector.result(request)["status"] == "pending"
    response = world.http.post(payload["response_uri"], data={"error": "access_denied", "state": payload["state"]})
    assert response.status_code == 200 and response.json() == {}
    assert world.inspector.result(request)["verdict"]["verdict"] == "refused"


def test_the_wallet_tells_the_verifier_why_it_cannot_process_its_request(world: World) -> None:
    """§8.2 / §8.5: a request from an authenticated verifier carrying a ``redirect_uri`` beside its
    ``response_uri`` gets ``invalid_request`` at that response_uri (with its state), so the
    inspector sees why no answer comes instead of waiting for the request to expire."""
    request = world.inspector.request("pda1")
    token, client_id = _resigned(world, request, redirect_uri=f"{world.stack.verifier_url}/cb")
    with _request_uri(token) as uri, pytest.raises(RequestRejected) as info:
        world.wallet.open_request(_link(client_id, uri), "en")
    assert info.value.error == "invalid_request"
    result = world.inspector.result(request)
    # The wallet's error, not the worker's refusal: cannot be confirmed, with the code kept.
    assert result["status"] == "error" and result["verdict"]["verdict"] == "undetermined"
    assert "invalid_request" in result["verdict"]["reason"] and result["verdict"]["reason_key"] == "wallet_error"


def test_the_wallet_answers_vp_formats_not_supported_for_formats_it_does_not_present(world: World) -> None:
    """§8.5 ``vp_formats_not_supported``: "The Wallet does not support any of the formats requested
    by the Verifier". The worker is asked first (nothing can be shared), then the verifier is told
    why, not that the worker declined (``access_denied``)."""
    request = world.inspector.request("pda1", response_mode="direct_post")
    query = {"credentials": [{"id": "w", "format": "jwt_vc_json", "meta": {"type_values": [["PDA1"]]}}]}
    token, client_id = _resigned(world, request, dcql_query=query)
    with _request_uri(token) as uri:
        consent = world.wallet.open_request(_link(client_id, uri), "en")
    assert not consent.satisfiable
    world.wallet.decline(consent.id)
    result = world.inspector.result(request)
    assert result["status"] == "error" and "vp_formats_not_supported" in result["verdict"]["reason"]
    assert result["verdict"]["verdict"] == "undetermined"


def test_a_worker_without_the_documents_is_reported_as_access_denied(world: World) -> None:
    """§8.5 ``access_denied``: "The Wallet did not have the requested Credentials" (formats it does
    present, types it does not hold)."""
    query = {"credentials": [{"id": "ehic", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:ehic:1"]},
                              "claims": [{"path": ["document_number"]}]}]}
    request = world.inspector.request("pda1", dcql_query=query)
    consent = world.wallet.open_request(request["link"], "en")
    assert not consent.satisfiable
    world.wallet.share(consent.id)
    result = world.inspector.result(request)
    assert result["status"] == "error" and result["verdict"]["reason_key"] == "refused"


@pytest.mark.parametrize(("lang", "heading", "reason"), [
    ("en", "NOT SHARED", "The wallet did not share the documents: the person declined, or the wallet holds none "
                         "of those asked for."),
    ("pl", "NIE UDOSTĘPNIONO", "Portfel nie udostępnił dokumentów: osoba odmówiła albo portfel nie zawiera "
                               "żadnego z żądanych."),
])
def test_access_denied_is_worded_as_not_shared_since_it_may_be_a_wallet_without_the_documents(
        world: World, lang: str, heading: str, reason: str) -> None:
    """§8.5 ``access_denied`` covers both the worker's no and a wallet that does not hold what was
    asked (the reference wallet answers so for a worker without a PID): the verifier cannot tell
    them apart, so the verdict page does not say the worker declined."""
    request = world.inspector.request("pda1")
    world.wallet.decline(world.wallet.open_request(request["link"], "en").id)
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict",
                          params={"lang": lang}).text
    assert 'data-verdict="refused"' in page and f">{heading}</h1>" in page and reason in page, page
    assert "declined to share" not in page and "odmówił udostępnienia" not in page


def test_the_encrypted_answer_uses_a256gcm_and_the_kid_of_the_verifiers_key(world: World) -> None:
    """§8.3 and HAIP §5: JWE ``alg`` = the JWK's ``alg`` (ECDH-ES, P-256), ``kid`` = the JWK's
    ``kid``, ``enc`` A256GCM when the verifier lists both; the payload holds vp_token and state."""
    request = world.inspector.request("pda1")
    payload = world.request_object(request)
    key = payload["client_metadata"]["jwks"]["keys"][0]
    assert payload["client_metadata"]["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]
    assert key["alg"] == "ECDH-ES" and key["crv"] == "P-256" and key["use"] == "enc" and key["kid"]
    form = openid4vp.build_response_form(payload, {"vp_token": world.vp_token(payload)})
    header = json.loads(b64url_decode(form["response"].split(".")[0]))
    assert (header["alg"], header["enc"], header["kid"], header["epk"]["crv"]) == ("ECDH-ES", "A256GCM",
                                                                                    key["kid"], "P-256")
    assert world.http.post(payload["response_uri"], data=form).status_code == 200
    assert world.inspector.result(request)["verdict"]["verdict"] == "valid"


def test_a_check_response_of_several_presentations_checks_each() -> None:
    """§6.1 ``multiple`` and §8.6: every presentation of a query is held against it, not only the last."""
    query = {"credentials": [{**_CQ, "multiple": True, "claims": [{"path": ["a"]}]}]}
    fine = (pda1.VCT, {"a": 1, "b": 2}, [("a",)])
    assert dcql.check_response(query, {"q": [fine, fine]}) == ()
    with pytest.raises(ClaimError, match="discloses b"):
        dcql.check_response(query, {"q": [(pda1.VCT, {"a": 1, "b": 2}, [("a",), ("b",)]), fine]})
    with pytest.raises(ClaimError, match="not what was asked"):
        dcql.check_response(query, {"q": [("urn:other", {"a": 1}, [("a",)]), fine]})
    with pytest.raises(ClaimError, match="several"):
        dcql.check_response({"credentials": [{**_CQ, "claims": [{"path": ["a"]}]}]}, {"q": [fine, fine]})


def test_check_response_takes_a_presentation_only_inside_a_credential_set_option_satisfied_whole() -> None:
    """§6.4.2: a credential set is satisfied by one whole option; §8.6: the verifier MUST NOT rely on the
    wallet. A presentation is taken only inside an option every one of whose queries is answered; a
    query no credential set names is not asked for; "not presented" names only optional sets of which
    nothing was shown."""
    def cq(qid: str) -> dict[str, Any]:
        return {**_CQ, "id": qid, "claims": [{"path": ["a"]}]}

    query = {"credentials": [cq("ehic"), cq("pda1"), cq("pid"), cq("other")],
             "credential_sets": [{"options": [["ehic"]]}, {"options": [["pda1", "pid"]], "required": False}]}
    shown = [(pda1.VCT, {"a": 1}, [("a",)])]
    with pytest.raises(ClaimError, match=r"pda1.*pid") as info:
        dcql.check_response(query, {"ehic": shown, "pda1": shown})
    assert "not presented" not in info.value.message
    assert dcql.check_response(query, {"ehic": shown, "pda1": shown, "pid": shown}) == ()
    assert dcql.check_response(query, {"ehic": shown}) == (("pda1", "pid"),)
    with pytest.raises(ClaimError, match=r"'other'.*no credential set"):
        dcql.check_response(query, {"ehic": shown, "other": shown})
    # Without credential_sets every query is asked for, and required.
    plain = {"credentials": [cq("ehic"), cq("pda1")]}
    assert dcql.check_response(plain, {"ehic": shown, "pda1": shown}) == ()
    with pytest.raises(ClaimError, match="every credential"):
        dcql.check_response(plain, {"ehic": shown})


def test_the_settings_choose_request_uri_method_post_and_the_wallet_completes_over_http(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """§5.1 ``request_uri_method`` (``ESSPASS_VERIFIER_REQUEST_URI_METHOD``): with ``post`` the link
    says so, and the reference wallet POSTs its wallet_nonce (§5.10) and completes the check, over
    real HTTP on loopback ports."""
    monkeypatch.setenv("ESSPASS_VERIFIER_REQUEST_URI_METHOD", "post")
    with _verifier(world) as (service, url):
        assert service.request_uri_method == "post"
        inspector = Inspector(url, world.http)
        request = inspector.request("pda1")
        assert request["link"].endswith("&request_uri_method=post")
        consent = world.wallet.open_request(request["link"], "en")
        assert consent.satisfiable
        world.wallet.share(consent.id)
        assert inspector.result(request)["verdict"]["verdict"] == "valid"


@pytest.mark.parametrize("value", ["POST", "put", "", "get "])
def test_request_uri_method_setting_is_get_or_post(tmp_path: Path, value: str) -> None:
    """§5.1: ``get`` or ``post``, case-sensitive; anything else stops the verifier at start."""
    from pydantic import ValidationError

    assert VerifierSettings(data_dir=tmp_path).request_uri_method == "get"
    with pytest.raises(ValidationError, match="request_uri_method"):
        VerifierSettings(data_dir=tmp_path, request_uri_method=value)  # type: ignore[arg-type]


def test_an_empty_answer_is_taken_and_judged_against_the_request(world: World) -> None:
    """§8.1 and DCQL §6.4.2: a wallet holding none of the optional credentials answers ``vp_token``
    ``{}``; the response_uri takes it (not invalid_request) and the verdict says nothing was presented,
    while ``{}`` to a request with a required credential is an invalid answer, recorded as such."""
    optional = {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                                 "claims": [{"path": ["legislation_country"]}]}],
                "credential_sets": [{"options": [["pda1"]], "required": False}]}
    for query, verdict, words in ((optional, "undetermined", "presents no document"),
                                  (None, "invalid", "does not contain every credential")):
        request = world.inspector.request("pda1", **({"dcql_query": query} if query else {}))
        payload = world.request_object(request)
        form = openid4vp.build_response_form(payload, {"vp_token": {}})
        response = world.http.post(payload["response_uri"], data=form)
        assert response.status_code == 200, response.text
        result = world.inspector.result(request)["verdict"]
        assert result["verdict"] == verdict and words in result["reason"], result


def test_the_reference_wallet_answers_a_request_of_optional_credentials_it_does_not_hold(world: World) -> None:
    """§6.4.2: nothing held matches the optional query, so the wallet sends ``vp_token`` ``{}`` and the
    verifier records what was (not) presented instead of refusing the answer."""
    query = {"credentials": [{"id": "ehic", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:ehic:1"]},
                              "claims": [{"path": ["document_number"]}]}],
             "credential_sets": [{"options": [["ehic"]], "required": False}]}
    request = world.inspector.request("pda1", dcql_query=query)
    consent = world.wallet.open_request(request["link"], "en")
    assert consent.satisfiable
    world.wallet.share(consent.id)
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "undetermined" and "not presented: ehic" in verdict["reason"]


def _jwe_with_kid(payload: dict[str, Any], vp_token: dict[str, list[str]], kid: str | None) -> dict[str, str]:
    """The answer encrypted to the request's key, its JWE header naming ``kid`` (None: no kid)."""
    metadata = json.loads(json.dumps(payload["client_metadata"]))
    key = metadata["jwks"]["keys"][0]
    key.pop("kid")
    if kid is not None:
        key["kid"] = kid
    return openid4vp.build_response_form({**payload, "client_metadata": metadata}, {"vp_token": vp_token})


def test_parse_response_refuses_a_jwe_not_naming_the_published_kid() -> None:
    """§8.3: "If the selected public key contains a kid parameter, the JWE MUST include the same value
    in the kid JWE Header Parameter": ours always has one, so another kid, or none, is invalid_request."""
    key = openid4vp.new_encryption_key()
    payload = openid4vp.build_request(client_id="x509_hash:abc", response_uri="https://v.example/r", nonce="n" * 16,
                                      state="s" * 16, dcql_query={"credentials": [_CQ]},
                                      response_mode="direct_post.jwt", iat=0, exp=300, encryption_key=key)
    published = payload["client_metadata"]["jwks"]["keys"][0]["kid"]
    for kid in ("another-key", None, published + "x"):
        with pytest.raises(ProtocolError) as info:
            openid4vp.parse_response(_jwe_with_kid(payload, {"q": ["x"]}, kid), response_mode="direct_post.jwt",
                                     decryption_key=key)
        assert info.value.error == "invalid_request" and "kid" in info.value.message
    parsed = openid4vp.parse_response(_jwe_with_kid(payload, {"q": ["x"]}, published),
                                      response_mode="direct_post.jwt", decryption_key=key)
    assert parsed.vp_token == {"q": ["x"]} and parsed.state == "s" * 16


def test_a_verifier_key_that_is_not_a_p256_point_cannot_be_encrypted_to_and_is_invalid_request() -> None:
    """§8.3: the answer is encrypted to the request's key; one whose coordinates are not base64url or
    not a point of P-256 is refused as invalid_request (never a crash in the encryption library), so
    an error answer goes in plain (§8.3.1) instead."""
    key = openid4vp.new_encryption_key()
    payload = openid4vp.build_request(client_id="x509_hash:abc", response_uri="https://v.example/r", nonce="n" * 16,
                                      state="s" * 16, dcql_query={"credentials": [_CQ]},
                                      response_mode="direct_post.jwt", iat=0, exp=300, encryption_key=key)
    good = payload["client_metadata"]["jwks"]["keys"][0]
    for broken in ({**good, "x": good["y"]}, {**good, "y": "***"}, {**good, "x": b64url_encode(b"\x01" * 32)}):
        metadata = {**payload["client_metadata"], "jwks": {"keys": [broken]}}
        with pytest.raises(ProtocolError) as info:
            openid4vp.encryption_key(metadata)
        assert info.value.error == "invalid_request"
        plain = error_response_form({**payload, "client_metadata": metadata}, "access_denied", "no")
        assert plain["error"] == "access_denied" and "response" not in plain
    assert openid4vp.encryption_key(payload["client_metadata"]) == good


def test_an_encrypted_answer_naming_another_key_is_refused(world: World) -> None:
    """§8.3 over HTTP: an answer whose JWE names another ``kid`` than the one the request published, or
    none, is invalid_request and leaves the request open; the right one is then taken."""
    request = world.inspector.request("pda1")
    payload = world.request_object(request)
    vp = world.vp_token(payload)
    for kid in ("k1", None):
        response = world.http.post(payload["response_uri"], data=_jwe_with_kid(payload, vp, kid))
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text
        assert world.inspector.result(request)["status"] == "pending"
    published = payload["client_metadata"]["jwks"]["keys"][0]["kid"]
    response = world.http.post(payload["response_uri"], data=_jwe_with_kid(payload, vp, published))
    assert response.status_code == 200, response.text
    assert world.inspector.result(request)["verdict"]["verdict"] == "valid"
