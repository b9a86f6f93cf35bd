"""Interoperability for a third-party wallet (review R3) driving the issuer with its own client.

Each test names the spec section a conformant third-party implementation relies on. The issuer and
the registry run on loopback with wallet attestation required (the pilot's default); the wallet side
is built only from the published wire formats (DPoP RFC 9449, attestation-based client auth draft-10,
RFC 7009), signed with ``credentials.jose`` helpers to avoid hand-written JOSE.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from test_hostile_issuer import served_issuer

from credentials import client_attestation
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import PrivateKey, generate_key, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT
from credentials.pki import DemoPki, load_demo_pki
from esspass.stack import unnumbered

PROVIDER = "LV:ESSPASS-WALLET"
WALLET_CLIENT_ID = "esspass-reference-wallet"


@dataclass
class Wallet:
    """A third-party wallet instance (attested by a listed provider) talking to one institution."""

    base: str
    http: httpx.Client
    pki: DemoPki
    clerk_token: str
    instance: PrivateKey
    dpop_key: PrivateKey
    dpop_nonce: str | None = None

    @property
    def issuer(self) -> str:
        return f"{self.base}/lv-vsaa"

    def attestation_headers(self) -> dict[str, str]:
        key, chain = self.pki.signers[PROVIDER]
        now = int(time.time())
        attestation = client_attestation.attest(key, chain, client_id=WALLET_CLIENT_ID,
                                                instance_key=self.instance.public_key(), iat=now, lifetime=600)
        pop = sign_jws({"typ": client_attestation.POP_TYP},
                       {"aud": self.issuer, "jti": secrets.token_urlsafe(16), "iat": now}, self.instance)
        return {client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop}

    def dpop(self, url: str) -> str:
        claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": "POST", "htu": url, "iat": int(time.time())}
        if self.dpop_nonce:
            claims["nonce"] = self.dpop_nonce
        return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(self.dpop_key)}, claims, self.dpop_key)

    def fetch_dpop_nonce(self) -> None:
        self.dpop_nonce = self.http.post(f"{self.issuer}/nonce").headers.get("DPoP-Nonce")

    def pre_authorized_form(self) -> dict[str, str]:
        clerk = {"Authorization": f"Bearer {self.clerk_token}"}
        case = self.http.post("/lv-vsaa/api/cases", headers=clerk,
                              json={"configuration_id": "pda1", "claims": unnumbered(DEMO_PERSONS[0].pda1),
                                    "holder": DEMO_PERSONS[0].holder})
        assert case.status_code == 201, case.text
        created = self.http.post(f"/lv-vsaa/api/cases/{case.json()['id']}/offer", headers=clerk).json()
        offer = self.http.get(parse_qs(urlsplit(created["link"]).query)["credential_offer_uri"][0]).json()
        return {"grant_type": PRE_AUTH_GRANT, "tx_code": str(created["tx_code"]),
                "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]}

    def token(self, form: dict[str, str]) -> httpx.Response:
        url = f"{self.issuer}/token"
        return self.http.post(url, data=form, headers={**self.attestation_headers(), "DPoP": self.dpop(url)})


@pytest.fixture(scope="module")
def wallet(registry_dir: Path) -> Iterator[Wallet]:
    with served_issuer(registry_dir) as (url, http, tokens):  # the wallet attestation required, as in the pilot
        w = Wallet(url, http, load_demo_pki(registry_dir / "pki"), tokens["LV:VSAA"], generate_key(), generate_key())
        w.fetch_dpop_nonce()
        yield w


def test_token_request_client_id_other_than_the_attestation_sub_is_invalid_client(wallet: Wallet) -> None:
    """draft-ietf-oauth-attestation-based-client-auth-10 (token request validation): "If the token
    request contains a client_id parameter as per [RFC6749] the Authorization Server MUST verify that
    the value of this parameter is the same as the client_id value in the sub claim of the Client
    Attestation." The PAR endpoint already refuses a mismatch (401 invalid_client); the token
    endpoint issues a token to a client_id the attestation never vouched for."""
    form = {**wallet.pre_authorized_form(), "client_id": "not-the-attested-wallet"}
    response = wallet.token(form)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


def _refresh_token(wallet: Wallet) -> str:
    response = wallet.token(wallet.pre_authorized_form())
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "DPoP"  # a token type, not a secret
    return str(response.json()["refresh_token"])


def test_revocation_needs_client_authentication_only_not_a_dpop_proof(wallet: Wallet) -> None:
    """RFC 7009 §2.1: the client authenticates (here attest_jwt_client_auth, the only method the AS
    metadata's revocation_endpoint_auth_methods_supported lists) and the server checks the token was
    issued to that client. Neither RFC 7009 nor RFC 9449 asks for a DPoP proof at the revocation
    endpoint, and nothing in the metadata says so: a conformant third-party wallet deleting a card
    gets a non-RFC-7009 error (400 invalid_dpop_proof) and its token stays alive."""
    refresh = _refresh_token(wallet)
    response = wallet.http.post(f"{wallet.issuer}/revoke", data={"token": refresh, "token_type_hint": "refresh_token"},
                                headers=wallet.attestation_headers())
    assert response.status_code == 200, response.text


def test_revocation_ignores_a_token_type_hint_it_does_not_know(wallet: Wallet) -> None:
    """RFC 7009 §2.1: token_type_hint is only a hint the server "MAY ignore"; when the token is not
    found under the hint the server "MUST extend its search across all of its supported token types".
    unsupported_token_type (§2.2.1) means the server cannot revoke that kind of token at all, which is
    not the case for a refresh token."""
    refresh = _refresh_token(wallet)
    url = f"{wallet.issuer}/revoke"
    response = wallet.http.post(url, data={"token": refresh, "token_type_hint": "urn:example:unknown-hint"},
                                headers={**wallet.attestation_headers(), "DPoP": wallet.dpop(url)})
    assert response.status_code == 200, response.text


def test_revocation_checks_a_dpop_proof_sent_against_the_grants_key(wallet: Wallet) -> None:
    """RFC 7009 §2.1 with RFC 9449: a DPoP proof is not required, but one sent is verified, and one by
    a key other than the grant's is refused (RFC 6749 §5.2 ``invalid_grant``: issued to another
    client) and ends nothing; a malformed one is ``invalid_request``."""
    refresh = _refresh_token(wallet)
    url = f"{wallet.issuer}/revoke"
    form = {"token": refresh, "token_type_hint": "refresh_token"}
    stranger = Wallet(wallet.base, wallet.http, wallet.pki, wallet.clerk_token, wallet.instance, generate_key(),
                      wallet.dpop_nonce)
    other_key = wallet.http.post(url, data=form, headers={**wallet.attestation_headers(), "DPoP": stranger.dpop(url)})
    assert (other_key.status_code, other_key.json()["error"]) == (400, "invalid_grant"), other_key.text
    malformed = wallet.http.post(url, data=form, headers={**wallet.attestation_headers(), "DPoP": "not-a-jwt"})
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid_request"), malformed.text
    token_url = f"{wallet.issuer}/token"
    refreshed = wallet.http.post(token_url, data={"grant_type": "refresh_token", "refresh_token": refresh},
                                 headers={**wallet.attestation_headers(), "DPoP": wallet.dpop(token_url)})
    assert refreshed.status_code == 200, refreshed.text


def test_revocation_without_the_grants_client_authentication_is_invalid_client(wallet: Wallet) -> None:
    """RFC 7009 §2.1: the server checks that the token was issued to the client that authenticates;
    the grant's DPoP key alone does not stand in for the attested wallet (401 ``invalid_client``)."""
    refresh = _refresh_token(wallet)
    url = f"{wallet.issuer}/revoke"
    response = wallet.http.post(url, data={"token": refresh}, headers={"DPoP": wallet.dpop(url)})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client"), response.text


def test_the_metadata_lists_the_client_authentication_revocation_takes(wallet: Wallet) -> None:
    """RFC 8414 §2: ``revocation_endpoint_auth_methods_supported`` says how a client authenticates there:
    the wallet attestation, as at the token endpoint, and nothing more is asked."""
    metadata = wallet.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert metadata["revocation_endpoint"] == f"{wallet.issuer}/revoke"
    assert metadata["revocation_endpoint_auth_methods_supported"] == [client_attestation.AUTH_METHOD]
    assert metadata["token_endpoint_auth_methods_supported"] == [client_attestation.AUTH_METHOD]


def test_more_proofs_than_the_batch_size_is_invalid_credential_request() -> None:
    """OpenID4VCI 1.0 §8.3.1.2: ``invalid_proof`` is for a proof that is invalid (missing, both kinds,
    one not verifying, no c_nonce); proofs each fine but more of them than ``batch_size`` (§12.2.4) is
    a parameter value not supported: ``invalid_credential_request``."""
    from credentials.errors import ProtocolError
    from credentials.openid4vci import parse_credential_request

    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": ["a.b.c", "d.e.f", "g.h.i"]}}
    assert len(parse_credential_request(body, batch_size=3).proofs) == 3
    with pytest.raises(ProtocolError) as refused:
        parse_credential_request(body, batch_size=2)
    assert refused.value.error == "invalid_credential_request"
