"""Holder-side OpenID4VP checks: the signed request, DCQL selection, the encrypted answer."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jwcrypto import jwe, jwk

from credentials.dcql import HeldCredential
from credentials.dcql import match as match_dcql
from credentials.errors import CredentialError, ProtocolError
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import sign_jws
from credentials.openid4vp import build_response_form, verify_request_object
from credentials.pki import DemoPki, create_demo_pki, issue_access_certificate
from credentials.x509 import x5c_header, x509_hash

VERIFIER = "LV:VDI"
PDA1 = "urn:eudi:pda1:1"
EHIC = "urn:eudi:ehic:1"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    from datetime import UTC

    return create_demo_pki(Path(tmp_path_factory.mktemp("pki")), DEMO_ENTITIES, now=datetime.now(UTC))


def _verifiers(pki: DemoPki, *entity_ids: str) -> Any:
    return [pki.cas[e][1] for e in entity_ids]


def _request(
    pki: DemoPki, *, typ: str = "oauth-authz-req+jwt", signer: str = VERIFIER, **claims: Any
) -> tuple[str, str]:
    key, chain = pki.access[signer]
    client_id = f"x509_hash:{x509_hash(chain[0])}"
    payload = {
        "client_id": client_id, "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": "https://localhost:8103/response/1", "nonce": "n-0S6_WzA2Mj", "state": "st4te",
        "dcql_query": {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]},
                                        "claims": [{"path": ["legislation_country"]}]}]},
        "iat": int(time.time()), "exp": int(time.time()) + 300,
    } | claims
    payload = {k: v for k, v in payload.items() if v is not None}
    return sign_jws({"typ": typ, "x5c": x5c_header(chain)}, payload, key), client_id


def test_signed_request_from_a_listed_verifier_is_accepted(pki: DemoPki, now: datetime) -> None:
    token, client_id = _request(pki)
    checked = verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                                    anchors=_verifiers(pki, VERIFIER), now=now)
    assert checked.client_id == client_id and checked.requested == {PDA1: ("legislation_country",)}


@pytest.mark.parametrize("freshness", [
    {"exp": None},  # says nothing of when it stops
    {"exp": int(time.time()) - 10},  # stopped
    {"exp": int(time.time()) + 30 * 86400},  # a month ahead: recorded once, replayed for weeks
    {"iat": int(time.time()) + 3600},  # made in the future
])
def test_a_request_that_is_not_fresh_is_refused(pki: DemoPki, now: datetime, freshness: dict[str, Any]) -> None:
    """RFC 9101 §10.2: the wallet shows the worker only a request made now for now."""
    token, client_id = _request(pki, **freshness)
    with pytest.raises(ProtocolError):
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)


def test_request_signed_by_an_unlisted_verifier_is_rejected(pki: DemoPki, now: datetime) -> None:
    token, client_id = _request(pki, signer="AT:FINPOL")
    with pytest.raises(CredentialError) as info:
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)
    assert info.value.code == "issuer_key"


def test_request_with_a_foreign_client_id_is_rejected(pki: DemoPki, now: datetime) -> None:
    token, _ = _request(pki)
    with pytest.raises(ProtocolError):
        verify_request_object(token, link_client_id="x509_hash:someone-else", wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)


def test_request_without_explicit_type_is_rejected(pki: DemoPki, now: datetime) -> None:
    token, client_id = _request(pki, typ="JWT")
    with pytest.raises(CredentialError) as info:
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)
    assert info.value.code == "malformed"


def test_request_that_does_not_echo_the_wallet_nonce_is_rejected(pki: DemoPki, now: datetime) -> None:
    token, client_id = _request(pki, wallet_nonce="other")
    with pytest.raises(ProtocolError):
        verify_request_object(token, link_client_id=client_id, wallet_nonce="mine",
                              anchors=_verifiers(pki, VERIFIER), now=now)


def test_request_with_transaction_data_is_rejected(pki: DemoPki, now: datetime) -> None:
    token, client_id = _request(pki, transaction_data=["e30"])
    with pytest.raises(ProtocolError) as info:
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)
    assert info.value.error == "invalid_transaction_data"


def _san_dns_request(pki: DemoPki, now: datetime, dns_name: str, response_uri: str) -> tuple[str, str]:
    """A request from LV:VDI under ``x509_san_dns``, its access certificate naming ``dns_name``."""
    ca_key, ca_cert = pki.cas[VERIFIER]
    entity = dataclasses.replace(next(e for e in DEMO_ENTITIES if e.id == VERIFIER), dns_name=dns_name)
    key, cert = issue_access_certificate(entity, ca_key, ca_cert, now=now)
    client_id = f"x509_san_dns:{dns_name}"
    payload = {
        "client_id": client_id, "response_type": "vp_token", "response_mode": "direct_post",
        "response_uri": response_uri, "nonce": "n-0S6_WzA2Mj", "state": "st4te",
        "dcql_query": {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]},
                                        "claims": [{"path": ["legislation_country"]}]}]},
        "iat": int(time.time()), "exp": int(time.time()) + 300,
    }
    return sign_jws({"typ": "oauth-authz-req+jwt", "x5c": x5c_header([cert])}, payload, key), client_id


@pytest.mark.parametrize("response_uri", [
    "https://127.0.0.1:8103/responses/1",  # this machine: where the worker's own phone would post
    "https://localhost:8103/responses/1",
    "https://attacker.example/responses/1",
])
def test_a_san_dns_requester_answers_only_on_its_own_name(pki: DemoPki, now: datetime, response_uri: str) -> None:
    """OpenID4VP §5.9.3: the response_uri's host is the DNS name the certificate names; a real name
    may not send the answer to the wallet's own machine (or anywhere else)."""
    token, client_id = _san_dns_request(pki, now, "inspect.vdi.example", response_uri)
    with pytest.raises(ProtocolError) as info:
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)
    assert info.value.error == "invalid_request"


def test_a_san_dns_requester_on_its_own_name_is_accepted(pki: DemoPki, now: datetime) -> None:
    token, client_id = _san_dns_request(pki, now, "inspect.vdi.example", "https://inspect.vdi.example/responses/1")
    assert verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                                 anchors=_verifiers(pki, VERIFIER), now=now).client_id == client_id


@pytest.mark.parametrize("response_uri", ["https://127.0.0.1:8103/responses/1", "https://localhost:8103/responses/1"])
def test_a_localhost_name_answering_elsewhere_is_refused_as_a_strict_wallet_would(
        pki: DemoPki, now: datetime, response_uri: str) -> None:
    """OpenID4VP §5.9.3 without exceptions: a verifier named vdi.verifier.localhost takes its answers on
    that name, not on 127.0.0.1 or localhost (RFC 6761 makes both this machine, the rule does not: a
    third-party wallet refuses it, so ours does; the pilot's certificates name localhost itself)."""
    token, client_id = _san_dns_request(pki, now, "vdi.verifier.localhost", response_uri)
    with pytest.raises(ProtocolError) as info:
        verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                              anchors=_verifiers(pki, VERIFIER), now=now)
    assert info.value.error == "invalid_request"


def test_the_pilots_verifier_on_localhost_is_accepted_under_x509_san_dns(pki: DemoPki, now: datetime) -> None:
    """The pilot serves on localhost and its access certificates name it: x509_san_dns:localhost works."""
    token, client_id = _san_dns_request(pki, now, "localhost", "https://localhost:8103/responses/1")
    assert verify_request_object(token, link_client_id=client_id, wallet_nonce=None,
                                 anchors=_verifiers(pki, VERIFIER), now=now).client_id == client_id


PDA1_CLAIMS = {"legislation_country": "LV", "personal_administrative_number": "123", "ending_date": "2027-02-28"}
EHIC_CLAIMS = {"document_number": "80428", "personal_administrative_number": "123", "date_of_expiry": "2030-01-01"}
HELD = [HeldCredential("p", PDA1, PDA1_CLAIMS, frozenset()), HeldCredential("e", EHIC, EHIC_CLAIMS, frozenset())]


def test_only_the_claims_asked_for_are_selected() -> None:
    query = {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]},
                              "claims": [{"path": ["legislation_country"]}]}]}
    result = match_dcql(query, HELD)
    assert result.satisfiable and result.selection == {"q": ("p", (("legislation_country",),))}


def test_claim_sets_take_the_first_satisfiable_option() -> None:
    query = {"credentials": [{"id": "ehic", "format": "dc+sd-jwt", "meta": {"vct_values": [EHIC]},
                              "claims": [{"id": "pin", "path": ["personal_administrative_number"]},
                                         {"id": "nick", "path": ["nickname"]},
                                         {"id": "exp", "path": ["date_of_expiry"]}],
                              "claim_sets": [["nick", "exp"], ["pin", "exp"]]}]}
    result = match_dcql(query, HELD)
    assert result.selection["ehic"] == ("e", (("personal_administrative_number",), ("date_of_expiry",)))


def test_optional_credential_set_is_left_out_when_not_held() -> None:
    query = {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]}},
                             {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}],
             "credential_sets": [{"options": [["pda1"]]}, {"required": False, "options": [["pid"]]}]}
    result = match_dcql(query, HELD)
    assert result.satisfiable and result.selection == {"pda1": ("p", ())}


def test_missing_required_credential_means_nothing_is_selected() -> None:
    query = {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]}},
                             {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]}}]}
    result = match_dcql(query, HELD)
    assert not result.satisfiable and result.selection == {}


def test_value_filter_is_applied() -> None:
    query = {"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [PDA1]},
                              "claims": [{"path": ["legislation_country"], "values": ["DE"]}]}]}
    assert not match_dcql(query, HELD).satisfiable


def test_direct_post_jwt_answer_is_encrypted_to_the_verifier_key() -> None:
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    public = json.loads(key.export_public()) | {"use": "enc", "alg": "ECDH-ES", "kid": "k1"}
    request = {"response_mode": "direct_post.jwt", "state": "st4te",
               "client_metadata": {"jwks": {"keys": [public]},
                                   "encrypted_response_enc_values_supported": ["A128GCM", "A256GCM"]}}
    form = build_response_form(request, {"vp_token": {"q": ["ey..."]}})
    assert set(form) == {"response"}
    token = jwe.JWE()
    token.deserialize(form["response"], key=key)
    assert json.loads(token.payload) == {"vp_token": {"q": ["ey..."]}, "state": "st4te"}
    assert json.loads(token.objects["protected"])["enc"] == "A256GCM"


def test_direct_post_answer_is_a_plain_form() -> None:
    form = build_response_form({"response_mode": "direct_post", "state": "s"}, {"error": "access_denied"})
    assert form == {"error": "access_denied", "state": "s"}
