"""Issue #4: the OpenID4VCI 1.0 issuer over real HTTP, with a client written from the spec.

Every error path returns the spec's error code in a JSON body: wrong tx_code five times then
locked, reused code, proof with wrong nonce / aud / typ, unknown configuration, expired token.
The issuer runs with its default wallet attestation policy ("required", HAIP §9.2) against a real
registry: the client attests itself as an instance of the reference wallet, whose provider is on
the registry's wallet providers list.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from credentials import (
    authorization_code,
    client_attestation,
    key_attestation,
    mdoc,
    sd_jwt_vc,
    status_list,
    trust_list,
)
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import IssuerKeyError, ProtocolError
from credentials.jose import b64url_decode, b64url_encode, generate_key, jwk_thumbprint, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.pki import load_demo_pki
from credentials.sd_jwt import parse
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import create_app
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings

PERSON = DEMO_PERSONS[0]
PROVIDER = "LV:ESSPASS-WALLET"


class Issuer:
    def __init__(self, handle: ServerHandle, data_dir: Path, registry_url: str) -> None:
        self.url = handle.url
        self.registry_url = registry_url
        self.http = httpx.Client(base_url=handle.url, timeout=20)
        self.tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        self.pki = load_demo_pki(data_dir / "pki")

    def clerk(self, entity: str = "LV:VSAA") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[entity]}"}

    def offer(self, path: str = "lv-vsaa", entity: str = "LV:VSAA", config: str = "pda1",
              claims: dict[str, Any] | None = None) -> tuple[str, dict[str, Any], str]:
        """(case id, the credential offer as the wallet fetches it, tx_code); by default the demo
        person's document, numbered by the issuer."""
        claims = claims or {"pda1": unnumbered(PERSON.pda1), "ehic": unnumbered(PERSON.ehic), "pid": PERSON.pid}[config]
        # An A1 (section 1) and an EHIC of the holder's own (card fields 3-5) are offered naming their holder
        # (IssuerService._offer_refused).
        holder = None if config == "pid" else PERSON.holder
        case = self.http.post(f"/{path}/api/cases", json={"configuration_id": config, "claims": claims,
                                                          "holder": holder}, headers=self.clerk(entity))
        assert case.status_code == 201, case.text
        created = self.http.post(f"/{path}/api/cases/{case.json()['id']}/offer", headers=self.clerk(entity)).json()
        link = urlsplit(created["link"])
        assert link.scheme == "openid-credential-offer"
        uri = parse_qs(link.query)["credential_offer_uri"][0]
        offer = self.http.get(uri).json()
        return case.json()["id"], offer, created["tx_code"]

    def attestation_headers(self, path: str = "lv-vsaa", *, lifetime: int = 600, audience: str | None = None,
                            pop_key: Any = None, challenge: str | None = None) -> dict[str, str]:
        """OAuth-Client-Attestation (signed by the listed wallet provider) and a fresh PoP."""
        instance = generate_key()
        key, chain = self.pki.signers[PROVIDER]
        now = int(time.time())
        attestation = client_attestation.attest(key, chain, client_id="esspass-reference-wallet",
                                                instance_key=instance.public_key(), iat=now - 5, lifetime=lifetime)
        pop = client_attestation.proof_of_possession(pop_key or instance, audience=audience or f"{self.url}/{path}",
                                                     iat=now, challenge=challenge)
        return {client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop}

    def token(self, offer: dict[str, Any], tx_code: str | None, path: str = "lv-vsaa",
              headers: dict[str, str] | None = None) -> httpx.Response:
        code = offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
        form = {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.http.post(f"/{path}/token", data=form,
                              headers=self.attestation_headers(path) if headers is None else headers)

    def nonce(self, path: str = "lv-vsaa") -> str:
        response = self.http.post(f"/{path}/nonce")
        assert response.headers["cache-control"] == "no-store"
        return str(response.json()["c_nonce"])

    def proof(self, key: Any, *, nonce: str, aud: str | None = None, typ: str = PROOF_TYP,
              iat: int | None = None) -> str:
        return sign_jws({"typ": typ, "jwk": public_jwk(key)},
                        {"aud": aud or f"{self.url}/lv-vsaa", "iat": iat or int(time.time()), "nonce": nonce}, key)

    def credential(self, token: str, proofs: list[str], config: str = "pda1", path: str = "lv-vsaa",
                   proof_type: str = "jwt") -> httpx.Response:
        return self.http.post(f"/{path}/credential", json={"credential_configuration_id": config,
                                                           "proofs": {proof_type: proofs}},
                              headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def issuer(registry_dir: Path) -> Iterator[Issuer]:
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}", token_ttl=2,
                                  registry_url=registry.url)
        with serve(create_app(settings), port=port) as handle:
            client = Issuer(handle, registry_dir, registry.url)
            yield client
            client.http.close()


def _access_token(issuer: Issuer, **kw: Any) -> str:
    _case, offer, tx = issuer.offer(**kw)
    response = issuer.token(offer, tx, path=kw.get("path", "lv-vsaa"))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_metadata_names_this_issuer_and_its_configurations(issuer: Issuer) -> None:
    meta = issuer.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
    assert meta["credential_issuer"] == f"{issuer.url}/lv-vsaa"
    assert set(meta["credential_configurations_supported"]) == {"pda1", "pda1_mdoc"}
    conf = meta["credential_configurations_supported"]["pda1"]
    assert conf["format"] == "dc+sd-jwt" and conf["vct"] == "urn:eudi:pda1:1"
    assert conf["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] == ["ES256"]
    as_mdoc = meta["credential_configurations_supported"]["pda1_mdoc"]  # App. A.2
    assert as_mdoc["format"] == "mso_mdoc" and as_mdoc["doctype"] == "eu.europa.ec.eudi.pda1.1"
    assert as_mdoc["credential_signing_alg_values_supported"] == [-7]
    assert as_mdoc["cryptographic_binding_methods_supported"] == ["cose_key"]
    assert all(c["path"][0] == "eu.europa.ec.eudi.pda1.1" for c in as_mdoc["credential_metadata"]["claims"])
    assert meta["nonce_endpoint"] == f"{issuer.url}/lv-vsaa/nonce"
    assert meta["batch_credential_issuance"]["batch_size"] >= 2
    assert set(issuer.http.get("/.well-known/openid-credential-issuer/lv-nvd").json()[
        "credential_configurations_supported"]) == {"ehic", "ehic_mdoc"}
    assert set(issuer.http.get("/.well-known/openid-credential-issuer/lv-pid").json()[
        "credential_configurations_supported"]) == {"pid", "pid_mdoc"}
    as_meta = issuer.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert as_meta["issuer"] == f"{issuer.url}/lv-vsaa"
    assert PRE_AUTH_GRANT in as_meta["grant_types_supported"]
    assert issuer.http.get("/.well-known/jwt-vc-issuer/lv-vsaa").json()["issuer"] == f"{issuer.url}/lv-vsaa"
    assert issuer.http.get("/type-metadata/pda1").json()["vct"] == "urn:eudi:pda1:1"


@pytest.mark.parametrize(("path", "entity", "config"), [("lv-vsaa", "LV:VSAA", "pda1"), ("lv-nvd", "LV:NVD", "ehic"),
                                                        ("lv-pid", "LV:PID", "pid")])
def test_pre_authorized_flow_issues_a_batch_bound_to_distinct_keys(issuer: Issuer, path: str, entity: str,
                                                                   config: str) -> None:
    token = _access_token(issuer, path=path, entity=entity, config=config)
    nonce = issuer.nonce(path)
    keys = [generate_key() for _ in range(3)]
    proofs = [issuer.proof(k, nonce=nonce, aud=f"{issuer.url}/{path}") for k in keys]
    response = issuer.credential(token, proofs, config=config, path=path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["credentials"]) == 3 and body["notification_id"]
    anchors = [issuer.pki.cas[entity][1]]
    now = datetime.now(UTC)
    refs = []
    for item, key in zip(body["credentials"], keys, strict=True):
        verified = sd_jwt_vc.verify_vc(item["credential"], anchors=anchors, now=now, key_binding=None)
        assert verified.holder_jwk is not None
        assert jwk_thumbprint(verified.holder_jwk) == jwk_thumbprint(public_jwk(key))
        assert verified.status is not None
        refs.append(verified.status)
    assert len({r.idx for r in refs}) == 3
    token_text = issuer.http.get(urlsplit(refs[0].uri).path).text
    lst = status_list.verify_token(token_text, uri=refs[0].uri, anchors=anchors, now=now)
    assert all(status_list.status_of(lst, r) == status_list.VALID for r in refs)
    assert lst.status_list.size >= 100_000
    notify = issuer.http.post(f"/{path}/notification", json={"notification_id": body["notification_id"],
                                                            "event": "credential_accepted"},
                              headers={"Authorization": f"Bearer {token}"})
    assert notify.status_code == 204


def test_wrong_tx_code_five_times_then_the_code_is_dead(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    wrong = "000000" if tx != "000000" else "111111"
    for _ in range(5):
        response = issuer.token(offer, wrong)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
    response = issuer.token(offer, tx)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "too many wrong transaction codes" in response.json()["error_description"]


def test_reused_pre_authorized_code_is_refused(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    assert issuer.token(offer, tx).status_code == 200
    again = issuer.token(offer, tx)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_missing_tx_code_is_invalid_request(issuer: Issuer) -> None:
    _case, offer, _tx = issuer.offer()
    response = issuer.token(offer, None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_unknown_code_and_grant_type(issuer: Issuer) -> None:
    response = issuer.http.post("/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": "x"},
                                headers=issuer.attestation_headers())
    assert response.json()["error"] == "invalid_grant"
    response = issuer.http.post("/lv-vsaa/token", data={"grant_type": "password", "username": "x"},
                                headers=issuer.attestation_headers())
    assert response.json()["error"] == "unsupported_grant_type"
    response = issuer.http.post("/lv-vsaa/token", data={"grant_type": "authorization_code", "code": "x",
                                                        "redirect_uri": "https://wallet.example/cb"},
                                headers=issuer.attestation_headers())
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(("change", "error"), [
    ({"nonce": "not-a-nonce"}, "invalid_nonce"),
    ({"aud": "https://another.example/issuer"}, "invalid_proof"),
    ({"typ": "JWT"}, "invalid_proof"),
    ({"iat": 1_000_000_000}, "invalid_proof"),
])
def test_bad_proofs_get_the_spec_error(issuer: Issuer, change: dict[str, Any], error: str) -> None:
    token = _access_token(issuer)
    nonce = issuer.nonce()
    kwargs: dict[str, Any] = {"nonce": nonce, **change}
    response = issuer.credential(token, [issuer.proof(generate_key(), **kwargs)])
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_proof_signed_by_another_key_than_its_jwk(issuer: Issuer) -> None:
    token = _access_token(issuer)
    nonce = issuer.nonce()
    honest, thief = generate_key(), generate_key()
    forged = sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(honest)},
                      {"aud": f"{issuer.url}/lv-vsaa", "iat": int(time.time()), "nonce": nonce}, thief)
    response = issuer.credential(token, [forged])
    assert response.json()["error"] == "invalid_proof"


def test_the_same_key_twice_in_a_batch_is_refused(issuer: Issuer) -> None:
    token = _access_token(issuer)
    nonce = issuer.nonce()
    key = generate_key()
    response = issuer.credential(token, [issuer.proof(key, nonce=nonce), issuer.proof(key, nonce=nonce)])
    assert response.json()["error"] == "invalid_proof"


def test_the_same_offer_also_gives_the_document_as_an_iso_mdoc(issuer: Issuer) -> None:
    """OpenID4VCI App. A.2: base64url CBOR IssuerSigned, the proof's key as device key, same status list."""
    case, offer, tx = issuer.offer()
    assert offer["credential_configuration_ids"] == ["pda1", "pda1_mdoc"]
    token = issuer.token(offer, tx).json()["access_token"]
    key = generate_key()
    response = issuer.credential(token, [issuer.proof(key, nonce=issuer.nonce())], config="pda1_mdoc")
    assert response.status_code == 200, response.text
    issued = b64url_decode(response.json()["credentials"][0]["credential"])
    now = datetime.now(UTC)
    anchors = [issuer.pki.cas["LV:VSAA"][1]]
    verified = mdoc.verify_issuer_signed(issued, anchors=anchors, now=now)
    assert verified.doctype == "eu.europa.ec.eudi.pda1.1"
    number = issuer.http.get(f"/lv-vsaa/api/cases/{case}", headers=issuer.clerk()).json()["claims"]["document_number"]
    assert verified.claims[verified.doctype]["document_number"] == number
    # A verifier takes an mdoc A1 not showing its expiry as undetermined (every element can be
    # withheld): one recorded without an expiry states the end of its period as its expiry.
    elements = verified.claims[verified.doctype]
    assert elements["date_of_expiry"] == elements["ending_date"]
    assert verified.device_key.public_numbers() == key.public_key().public_numbers()
    assert verified.status is not None
    lst = status_list.verify_token(issuer.http.get(urlsplit(verified.status.uri).path).text,
                                   uri=verified.status.uri, anchors=anchors, now=now)
    assert status_list.status_of(lst, verified.status) == status_list.VALID
    with pytest.raises(IssuerKeyError):  # another institution's anchor does not validate it
        mdoc.verify_issuer_signed(issued, anchors=[issuer.pki.cas["DE:DRV"][1]], now=now)


def _dpop(key: Any, url: str, *, token: str | None = None, jti: str | None = None, htm: str = "POST",
          nonce: str | None = None) -> str:
    """An RFC 9449 proof as a wallet makes it; ``nonce`` is the server's (DPoP-Nonce), when it has one."""
    claims: dict[str, Any] = {"jti": jti or secrets.token_urlsafe(16), "htm": htm, "htu": url, "iat": int(time.time())}
    if token is not None:
        claims["ath"] = b64url_encode(hashlib.sha256(token.encode()).digest())
    if nonce is not None:
        claims["nonce"] = nonce
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)}, claims, key)


def _server_nonce(issuer: Issuer) -> str:
    """The DPoP nonce the nonce endpoint hands out beside the c_nonce (OpenID4VCI §7.2, RFC 9449 §8)."""
    return issuer.http.post("/lv-vsaa/nonce").headers["DPoP-Nonce"]


def _token_form(issuer: Issuer) -> dict[str, str]:
    _case, offer, tx = issuer.offer()
    return {"grant_type": PRE_AUTH_GRANT, "tx_code": tx,
            "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]}


def _dpop_token(issuer: Issuer, key: Any) -> str:
    form = _token_form(issuer)
    proof = _dpop(key, f"{issuer.url}/lv-vsaa/token", nonce=_server_nonce(issuer))
    response = issuer.http.post("/lv-vsaa/token", data=form, headers={"DPoP": proof,
                                                                      **issuer.attestation_headers()})
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "DPoP"  # RFC 9449 §5
    return str(response.json()["access_token"])


def _credential_with(issuer: Issuer, token: str, *, scheme: str = "DPoP", proof: str | None,
                     identifier: str | None = None, configuration: str = "pda1") -> httpx.Response:
    headers = {"Authorization": f"{scheme} {token}", **({"DPoP": proof} if proof is not None else {})}
    body: dict[str, Any] = ({"credential_identifier": identifier} if identifier is not None
                            else {"credential_configuration_id": configuration})
    body["proofs"] = {"jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}
    return issuer.http.post("/lv-vsaa/credential", json=body, headers=headers)


def test_the_authorization_server_advertises_dpop(issuer: Issuer) -> None:
    meta = issuer.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert meta["dpop_signing_alg_values_supported"] == ["ES256"]


def test_a_dpop_bound_token_works_only_with_a_fresh_proof_of_its_key(issuer: Issuer) -> None:
    key = generate_key()
    token = _dpop_token(issuer, key)
    url = f"{issuer.url}/lv-vsaa/credential"
    n = _server_nonce(issuer)
    refused = {
        "bearer scheme": _credential_with(issuer, token, scheme="Bearer", proof=_dpop(key, url, token=token, nonce=n)),
        "no proof": _credential_with(issuer, token, proof=None),
        "another key": _credential_with(issuer, token, proof=_dpop(generate_key(), url, token=token, nonce=n)),
        "another url": _credential_with(issuer, token, proof=_dpop(key, f"{issuer.url}/lv-vsaa/nonce", token=token,
                                                                   nonce=n)),
        "another method": _credential_with(issuer, token, proof=_dpop(key, url, token=token, htm="GET", nonce=n)),
        "another token": _credential_with(issuer, token, proof=_dpop(key, url, token="something-else", nonce=n)),
    }
    assert refused["bearer scheme"].status_code == 401 and refused["bearer scheme"].json()["error"] == "invalid_token"
    for name, response in refused.items():
        if name != "bearer scheme":
            assert response.json()["error"] == "invalid_dpop_proof", (name, response.text)
            # RFC 9449 §7.1: at the credential endpoint (a protected resource), 401 with a DPoP challenge.
            assert response.status_code == 401, (name, response.status_code)
            assert response.headers["WWW-Authenticate"].startswith('DPoP error="invalid_dpop_proof"'), name
    proof = _dpop(key, url, token=token, nonce=n)
    assert _credential_with(issuer, token, proof=proof).status_code == 200
    replay = issuer.http.post("/lv-vsaa/notification", json={"notification_id": "x", "event": "credential_accepted"},
                              headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert replay.json()["error"] == "invalid_dpop_proof"  # §11.1: a proof is used once


def test_a_token_not_bound_to_a_key_lives_under_ten_minutes(tmp_path: Path) -> None:
    """FAPI 2.0 §5.3.2.1: a Bearer token lives at most 5 minutes; a DPoP-bound one the configured time."""
    from issuer.app import build_service

    service = build_service(IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1", token_ttl=600,
                                           wallet_attestation="off", dpop_nonce=False))
    inst = service.institution("lv-vsaa")
    lifetimes = []
    for key in (None, generate_key()):
        case = service.create_case(inst, "pda1", unnumbered(PERSON.pda1), actor="clerk", holder=PERSON.holder)
        offer = service.create_offer(inst, case.id, actor="clerk")
        code = service.offer_json(inst, offer.offer_id)["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
        proof = _dpop(key, f"{inst.issuer_url}/token") if key is not None else None
        token = service.token(inst, {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code}, proof)
        lifetimes.append((token["token_type"], token["expires_in"]))
    service.engine.dispose()
    assert lifetimes == [("Bearer", 300), ("DPoP", 600)]


def test_a_bearer_token_is_not_accepted_under_the_dpop_scheme(issuer: Issuer) -> None:
    token = _access_token(issuer)
    key = generate_key()
    response = _credential_with(issuer, token, proof=_dpop(key, f"{issuer.url}/lv-vsaa/credential", token=token,
                                                           nonce=_server_nonce(issuer)))
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_a_token_request_without_the_server_dpop_nonce_is_challenged(issuer: Issuer) -> None:
    """RFC 9449 §8: use_dpop_nonce with a DPoP-Nonce header; the retry with it gets the token."""
    key, form, url = generate_key(), _token_form(issuer), f"{issuer.url}/lv-vsaa/token"
    for nonce in (None, "made-up-nonce"):
        challenged = issuer.http.post("/lv-vsaa/token", data=form, headers={
            "DPoP": _dpop(key, url, nonce=nonce), **issuer.attestation_headers()})
        assert (challenged.status_code, challenged.json()["error"]) == (400, "use_dpop_nonce")
    retry = issuer.http.post("/lv-vsaa/token", data=form, headers={
        "DPoP": _dpop(key, url, nonce=challenged.headers["DPoP-Nonce"]), **issuer.attestation_headers()})
    assert retry.status_code == 200, retry.text
    assert retry.json()["token_type"] == "DPoP"


def test_a_resource_request_without_the_server_dpop_nonce_is_challenged(issuer: Issuer) -> None:
    """RFC 9449 §9: 401 with WWW-Authenticate DPoP error="use_dpop_nonce" and a DPoP-Nonce."""
    key = generate_key()
    token = _dpop_token(issuer, key)
    url = f"{issuer.url}/lv-vsaa/credential"
    challenged = _credential_with(issuer, token, proof=_dpop(key, url, token=token))
    assert (challenged.status_code, challenged.json()["error"]) == (401, "use_dpop_nonce")
    assert challenged.headers["WWW-Authenticate"].startswith('DPoP error="use_dpop_nonce"')
    retry = _credential_with(issuer, token, proof=_dpop(key, url, token=token,
                                                       nonce=challenged.headers["DPoP-Nonce"]))
    assert retry.status_code == 200, retry.text


def test_the_dpop_nonce_challenge_comes_before_anything_the_body_says(issuer: Issuer) -> None:
    """RFC 9449 §9: a resource server that wants a nonce says so first, whatever the request body:
    a wallet whose body is also wrong learns the nonce, then its body's fault, not the other way."""
    key = generate_key()
    token = _dpop_token(issuer, key)
    for endpoint, body in (("credential", {"credential_configuration_id": "pda1"}),  # no proofs
                           ("deferred_credential", {}), ("notification", {"event": "made-up"})):
        url = f"{issuer.url}/lv-vsaa/{endpoint}"
        challenged = issuer.http.post(f"/lv-vsaa/{endpoint}", json=body, headers={
            "Authorization": f"DPoP {token}", "DPoP": _dpop(key, url, token=token)})
        assert (challenged.status_code, challenged.json()["error"]) == (401, "use_dpop_nonce"), endpoint
        assert challenged.headers["WWW-Authenticate"].startswith('DPoP error="use_dpop_nonce"')
        retry = issuer.http.post(f"/lv-vsaa/{endpoint}", json=body, headers={
            "Authorization": f"DPoP {token}", "DPoP": _dpop(key, url, token=token,
                                                           nonce=challenged.headers["DPoP-Nonce"])})
        assert retry.status_code == 400 and retry.json()["error"].startswith("invalid_"), (endpoint, retry.text)


def test_a_c_nonce_is_not_a_dpop_nonce_and_back(issuer: Issuer) -> None:
    key, form, url = generate_key(), _token_form(issuer), f"{issuer.url}/lv-vsaa/token"
    response = issuer.http.post("/lv-vsaa/token", data=form, headers={
        "DPoP": _dpop(key, url, nonce=issuer.nonce()), **issuer.attestation_headers()})
    assert response.json()["error"] == "use_dpop_nonce"
    token = _access_token(issuer)
    proof = issuer.proof(generate_key(), nonce=_server_nonce(issuer))
    refused = issuer.credential(token, [proof])
    assert refused.json()["error"] == "invalid_nonce"


# --- wallet attestation (attestation-based client authentication draft-10, HAIP §9.2) ----------------


def test_the_authorization_server_requires_attestation_based_client_auth(issuer: Issuer) -> None:
    meta = issuer.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert meta["token_endpoint_auth_methods_supported"] == ["attest_jwt_client_auth"]
    assert meta["client_attestation_signing_alg_values_supported"] == ["ES256"]
    assert meta["client_attestation_pop_signing_alg_values_supported"] == ["ES256"]
    assert meta["pre-authorized_grant_anonymous_access_supported"] is False
    assert meta["challenge_endpoint"] == f"{issuer.url}/lv-vsaa/challenge"


def _refused(issuer: Issuer, headers: dict[str, str]) -> httpx.Response:
    """A token request with ``headers``; the offer must survive a refused client."""
    _case, offer, tx = issuer.offer()
    response = issuer.token(offer, tx, headers=headers)
    assert issuer.token(offer, tx).status_code == 200, "a refused client must not use up the offer"
    return response


def test_a_token_request_without_a_wallet_attestation_is_invalid_client(issuer: Issuer) -> None:
    response = _refused(issuer, {})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_attestation_without_its_pop_is_invalid_client(issuer: Issuer) -> None:
    headers = issuer.attestation_headers()
    del headers[client_attestation.POP_HEADER]
    response = _refused(issuer, headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_an_attestation_by_a_provider_not_on_the_list_is_invalid_client(issuer: Issuer, tmp_path: Path) -> None:
    from credentials.institutions import Entity, Role
    from credentials.pki import create_demo_pki

    rogue = Entity(PROVIDER, "LV", "Rogue", "Rogue wallet provider", frozenset({Role.WALLET_PROVIDER}), "rogue")
    key, chain = create_demo_pki(tmp_path, [rogue], now=datetime.now(UTC)).signers[PROVIDER]
    instance = generate_key()
    headers = {
        client_attestation.ATTESTATION_HEADER: client_attestation.attest(
            key, chain, client_id="esspass-reference-wallet", instance_key=instance.public_key(),
            iat=int(time.time()), lifetime=600),
        client_attestation.POP_HEADER: client_attestation.proof_of_possession(
            instance, audience=f"{issuer.url}/lv-vsaa", iat=int(time.time())),
    }
    response = _refused(issuer, headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_an_expired_attestation_asks_for_a_fresh_one(issuer: Issuer) -> None:
    response = _refused(issuer, issuer.attestation_headers(lifetime=-120))
    assert (response.status_code, response.json()["error"]) == (400, "use_fresh_attestation")


def test_a_pop_not_signed_by_the_attested_key_is_invalid_client(issuer: Issuer) -> None:
    response = _refused(issuer, issuer.attestation_headers(pop_key=generate_key()))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_a_pop_for_another_institution_is_invalid_client(issuer: Issuer) -> None:
    response = _refused(issuer, issuer.attestation_headers(audience=f"{issuer.url}/de-drv"))
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_the_case_history_names_the_wallet_solution_that_took_the_offer(issuer: Issuer) -> None:
    case_id, offer, tx = issuer.offer()
    assert issuer.token(offer, tx).status_code == 200
    events = issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=issuer.clerk()).json()["events"]
    taken = [e for e in events if e["action"] == "wallet_authorised"]
    assert len(taken) == 1
    assert taken[0]["actor"] == "wallet:esspass-reference-wallet"
    assert taken[0]["reason"] == f"attested by ESSPASS reference wallet provider ({PROVIDER})"


# --- key attestations (OpenID4VCI App. D, HAIP §9.3) -------------------------------------------------


def _key_attestation(issuer: Issuer, keys: list[Any], *, nonce: str | None, signer: str = PROVIDER,
                     storage: str = "iso_18045_basic") -> str:
    key, chain = issuer.pki.signers[signer]
    return key_attestation.attest(key, chain, keys=[k.public_key() for k in keys], iat=int(time.time()),
                                  lifetime=300, key_storage=[storage], user_authentication=["iso_18045_basic"],
                                  nonce=nonce)


def _attested_proofs(issuer: Issuer, keys: list[Any], *, attested: list[Any] | None = None,
                     signer: str = PROVIDER, nonce_in_attestation: bool = True) -> list[str]:
    """Key proofs each carrying one key attestation over ``attested`` (default: the same keys)."""
    nonce = issuer.nonce()
    attestation = _key_attestation(issuer, attested or keys, nonce=nonce if nonce_in_attestation else None,
                                   signer=signer)
    return [sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(k), "key_attestation": attestation},
                     {"aud": f"{issuer.url}/lv-vsaa", "iat": int(time.time()), "nonce": nonce}, k) for k in keys]


def test_attested_keys_are_accepted_and_their_level_goes_into_the_case_history(issuer: Issuer) -> None:
    case_id, offer, tx = issuer.offer()
    token = issuer.token(offer, tx).json()["access_token"]
    response = issuer.credential(token, _attested_proofs(issuer, [generate_key(), generate_key()]))
    assert response.status_code == 200, response.text
    assert len(response.json()["credentials"]) == 2
    events = issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=issuer.clerk()).json()["events"]
    attested = [e for e in events if e["action"] == "keys_attested"]
    assert [e["actor"] for e in attested] == [f"provider:{PROVIDER}"]
    assert "key storage iso_18045_basic" in attested[0]["reason"]


def test_a_proof_key_outside_its_key_attestation_is_refused(issuer: Issuer) -> None:
    token = _access_token(issuer)
    proofs = _attested_proofs(issuer, [generate_key()], attested=[generate_key()])
    assert issuer.credential(token, proofs).json()["error"] == "invalid_proof"


def test_a_key_attestation_without_the_issuers_nonce_is_refused(issuer: Issuer) -> None:
    """App. F.1: with a Nonce Endpoint, the key attestation's nonce MUST be a c_nonce we gave; with
    none at all, §8.3.1.2 invalid_proof (3) (a fresh c_nonce would not mend it)."""
    token = _access_token(issuer)
    proofs = _attested_proofs(issuer, [generate_key()], nonce_in_attestation=False)
    assert issuer.credential(token, proofs).json()["error"] == "invalid_proof"


def test_the_issuer_lists_the_attestation_proof_type(issuer: Issuer) -> None:
    meta = issuer.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
    for config in ("pda1", "pda1_mdoc"):
        proof_types = meta["credential_configurations_supported"][config]["proof_types_supported"]
        assert proof_types["attestation"]["proof_signing_alg_values_supported"] == ["ES256"]
        assert "iso_18045_basic" in proof_types["attestation"]["key_attestations_required"]["key_storage"]


def test_an_attestation_proof_gets_one_credential_per_attested_key(issuer: Issuer) -> None:
    """App. F.3: the key attestation is the proof; the credentials are bound to its attested keys."""
    case_id, offer, tx = issuer.offer()
    token = issuer.token(offer, tx).json()["access_token"]
    keys = [generate_key() for _ in range(3)]
    response = issuer.credential(token, [_key_attestation(issuer, keys, nonce=issuer.nonce())],
                                 proof_type="attestation")
    assert response.status_code == 200, response.text
    bound = [parse(c["credential"]).issuer_jws.payload["cnf"]["jwk"] for c in response.json()["credentials"]]
    assert bound == [public_jwk(k) for k in keys]
    events = issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=issuer.clerk()).json()["events"]
    assert any(e["action"] == "keys_attested" and "attestation proof" in e["reason"] for e in events)


def test_an_attestation_proof_is_accepted_once(issuer: Issuer) -> None:
    proof = [_key_attestation(issuer, [generate_key()], nonce=issuer.nonce())]
    assert issuer.credential(_access_token(issuer), proof, proof_type="attestation").status_code == 200
    replay = issuer.credential(_access_token(issuer), proof, proof_type="attestation")
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_nonce")


def test_an_attestation_proof_without_the_issuers_nonce_is_refused(issuer: Issuer) -> None:
    """§8.3.1.2 invalid_proof (3): the proof carries no c_nonce; a stale one is invalid_nonce."""
    proof = [_key_attestation(issuer, [generate_key()], nonce=None)]
    assert issuer.credential(_access_token(issuer), proof, proof_type="attestation").json()["error"] == "invalid_proof"
    stale = [_key_attestation(issuer, [generate_key()], nonce="not-a-c-nonce")]
    assert issuer.credential(_access_token(issuer), stale, proof_type="attestation").json()["error"] == "invalid_nonce"


def test_an_attestation_proof_signed_by_an_institution_is_refused(issuer: Issuer) -> None:
    proof = [_key_attestation(issuer, [generate_key()], nonce=issuer.nonce(), signer="LV:VSAA")]
    assert issuer.credential(_access_token(issuer), proof, proof_type="attestation").json()["error"] == "invalid_proof"


def test_an_attestation_proof_over_more_keys_than_a_batch_is_refused(issuer: Issuer) -> None:
    batch = issuer.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()["batch_credential_issuance"]
    proof = [_key_attestation(issuer, [generate_key() for _ in range(batch["batch_size"] + 1)],
                              nonce=issuer.nonce())]
    # OpenID4VCI §8.3.1.2: a valid attestation of too many keys is a request beyond batch_size, not a bad proof.
    answer = issuer.credential(_access_token(issuer), proof, proof_type="attestation").json()
    assert answer["error"] == "invalid_credential_request"


@pytest.mark.parametrize("proofs", [{"attestation": []}, {"attestation": ["a", "b"]}, {"attestation": "x"},
                                    {"attestation": ["not-a-jwt"]}, {"di_vp": [{}]}])
def test_malformed_attestation_proofs_are_invalid_proof(issuer: Issuer, proofs: dict[str, Any]) -> None:
    response = issuer.http.post("/lv-vsaa/credential", json={"credential_configuration_id": "pda1", "proofs": proofs},
                                headers={"Authorization": f"Bearer {_access_token(issuer)}"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_proof")


def test_a_key_attestation_by_an_institution_is_refused(issuer: Issuer) -> None:
    token = _access_token(issuer)
    proofs = _attested_proofs(issuer, [generate_key()], signer="LV:VSAA")
    response = issuer.credential(token, proofs)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_proof")


def test_an_issuer_requiring_key_attestations_says_so_and_refuses_proofs_without(registry_dir: Path,
                                                                                  issuer: Issuer) -> None:
    """ESSPASS_ISSUER_KEY_ATTESTATION=required with a minimum key storage level (App. D.2)."""
    port = free_port()
    registry_url = issuer.registry_url
    settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}", registry_url=registry_url,
                              key_attestation="required", key_storage_levels=["iso_18045_high", "iso_18045_moderate"])
    with serve(create_app(settings), port=port) as handle:
        strict = Issuer(handle, registry_dir, registry_url)
        meta = strict.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
        required = meta["credential_configurations_supported"]["pda1"]["proof_types_supported"]["jwt"]
        assert required["key_attestations_required"]["key_storage"] == ["iso_18045_high", "iso_18045_moderate"]
        token = _access_token(strict)
        unattested = strict.credential(token, [strict.proof(generate_key(), nonce=strict.nonce())])
        assert unattested.json()["error"] == "invalid_proof"
        too_weak = strict.credential(token, _attested_proofs(strict, [generate_key()]))  # iso_18045_basic
        assert too_weak.json()["error"] == "invalid_proof"
        strict.http.close()


def test_a_replayed_attestation_pop_is_refused(issuer: Issuer) -> None:
    headers = issuer.attestation_headers()
    _case, offer, tx = issuer.offer()
    assert issuer.token(offer, tx, headers=headers).status_code == 200
    _case, offer, tx = issuer.offer()
    response = issuer.token(offer, tx, headers=headers)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_client")
    assert issuer.token(offer, tx).status_code == 200


def test_a_pop_challenge_is_one_the_issuer_handed_out_and_is_spent(issuer: Issuer) -> None:
    """draft-10 §8: use_attestation_challenge with a fresh challenge in OAuth-Client-Attestation-Challenge."""
    challenge = issuer.http.post("/lv-vsaa/challenge").json()["attestation_challenge"]
    _case, offer, tx = issuer.offer()
    assert issuer.token(offer, tx, headers=issuer.attestation_headers(challenge=challenge)).status_code == 200
    for stale in (challenge, "never-handed-out"):
        _case, offer, tx = issuer.offer()
        refused = issuer.token(offer, tx, headers=issuer.attestation_headers(challenge=stale))
        assert (refused.status_code, refused.json()["error"]) == (400, "use_attestation_challenge")
        fresh = refused.headers["OAuth-Client-Attestation-Challenge"]
        assert issuer.token(offer, tx, headers=issuer.attestation_headers(challenge=fresh)).status_code == 200


def test_an_issuer_can_require_pop_challenges(registry_dir: Path, issuer: Issuer) -> None:
    port = free_port()
    settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}",
                              registry_url=issuer.registry_url, attestation_challenge=True)
    with serve(create_app(settings), port=port) as handle:
        strict = Issuer(handle, registry_dir, issuer.registry_url)
        _case, offer, tx = strict.offer()
        refused = strict.token(offer, tx)
        assert refused.json()["error"] == "use_attestation_challenge"
        retry = strict.token(offer, tx, headers=strict.attestation_headers(
            challenge=refused.headers["OAuth-Client-Attestation-Challenge"]))
        assert retry.status_code == 200, retry.text
        strict.http.close()


def test_two_attestation_headers_are_refused(issuer: Issuer) -> None:
    first, second = issuer.attestation_headers(), issuer.attestation_headers()
    _case, offer, tx = issuer.offer()
    form = {"grant_type": PRE_AUTH_GRANT, "tx_code": tx,
            "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]}
    headers = [(name, value) for h in (first, second) for name, value in h.items()]
    response = issuer.http.post("/lv-vsaa/token", data=form, headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_unknown_configuration(issuer: Issuer) -> None:
    token = _access_token(issuer)
    response = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())], config="diploma")
    assert response.status_code == 400 and response.json()["error"] == "unknown_credential_configuration"
    response = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())], config="ehic")
    assert response.json()["error"] == "unknown_credential_configuration"


def test_missing_bearer_and_expired_token_are_invalid_token(issuer: Issuer) -> None:
    response = issuer.http.post("/lv-vsaa/credential", json={"credential_configuration_id": "pda1",
                                                             "proofs": {"jwt": ["x"]}})
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"
    assert "Bearer" in response.headers["www-authenticate"]
    token = _access_token(issuer)
    time.sleep(2.5)  # token_ttl=2 in this module's settings
    response = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())])
    assert response.status_code == 401 and response.json()["error"] == "invalid_token"


def test_an_access_token_gives_one_credential_response_per_offered_configuration(issuer: Issuer) -> None:
    token = _access_token(issuer)
    first = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())])
    assert first.status_code == 200
    second = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())])
    assert second.status_code == 400 and second.json()["error"] == "credential_request_denied"
    as_mdoc = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())], config="pda1_mdoc")
    assert as_mdoc.status_code == 200, as_mdoc.text  # the offer listed both forms of the document
    again = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())], config="pda1_mdoc")
    assert again.status_code == 400 and again.json()["error"] == "credential_request_denied"


def test_a_credential_answer_lost_is_not_given_again_once_the_access_token_expired(issuer: Issuer) -> None:
    """Asking again for credentials whose answer was lost (test_openid4vci_conformance) lasts as long as
    the access token: past its end, the same keys proven anew get invalid_token, as any request would."""
    token, key = _access_token(issuer), generate_key()
    assert issuer.credential(token, [issuer.proof(key, nonce=issuer.nonce())]).status_code == 200
    given = issuer.credential(token, [issuer.proof(key, nonce=issuer.nonce())])
    assert given.status_code == 200, given.text  # within the token's lifetime: given again
    time.sleep(2.5)  # token_ttl=2 in this module's settings
    again = issuer.credential(token, [issuer.proof(key, nonce=issuer.nonce())])
    assert (again.status_code, again.json()["error"]) == (401, "invalid_token"), again.text


def test_a_nonce_is_used_once(issuer: Issuer) -> None:
    nonce = issuer.nonce()
    assert issuer.credential(_access_token(issuer), [issuer.proof(generate_key(), nonce=nonce)]).status_code == 200
    again = issuer.credential(_access_token(issuer), [issuer.proof(generate_key(), nonce=nonce)])
    assert again.json()["error"] == "invalid_nonce"


def test_revocation_is_visible_in_the_next_status_token(issuer: Issuer) -> None:
    case, offer, tx = issuer.offer()
    token = issuer.token(offer, tx).json()["access_token"]
    credential = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())]).json()
    anchors = [issuer.pki.cas["LV:VSAA"][1]]
    now = datetime.now(UTC)
    ref = sd_jwt_vc.verify_vc(credential["credentials"][0]["credential"], anchors=anchors, now=now,
                              key_binding=None).status
    assert ref is not None
    before = issuer.http.get(urlsplit(ref.uri).path)
    etag = before.headers["etag"]
    assert issuer.http.get(urlsplit(ref.uri).path, headers={"If-None-Match": etag}).status_code == 304

    def value() -> int:
        text = issuer.http.get(urlsplit(ref.uri).path).text
        return status_list.status_of(status_list.verify_token(text, uri=ref.uri, anchors=anchors,
                                                              now=datetime.now(UTC)), ref)

    for action, expected in (("suspend", status_list.SUSPENDED), ("reinstate", status_list.VALID),
                             ("revoke", status_list.INVALID)):
        response = issuer.http.post(f"/lv-vsaa/api/cases/{case}/{action}", json={"reason": "test"},
                                    headers=issuer.clerk())
        assert response.status_code == 200, response.text
        assert value() == expected
    changed = issuer.http.get(urlsplit(ref.uri).path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    again = issuer.http.post(f"/lv-vsaa/api/cases/{case}/reinstate", json={"reason": "oops"}, headers=issuer.clerk())
    assert again.status_code == 409
    assert issuer.http.post(f"/lv-vsaa/api/cases/{case}/offer", headers=issuer.clerk()).status_code == 409


def test_an_mdocs_status_list_is_served_as_a_cwt_and_follows_revocation(issuer: Issuer) -> None:
    """draft-ietf-oauth-status-list §5.2, §8.1: the same URI gives the CWT form to a client that
    asks for it (an mdoc verifier: the verifier's StatusClient, over real HTTP), the JWT otherwise."""
    from esspass.status_client import StatusClient

    case, offer, tx = issuer.offer()
    token = issuer.token(offer, tx).json()["access_token"]
    key = generate_key()
    body = {"credential_configuration_id": "pda1_mdoc", "proofs": {"jwt": [issuer.proof(key, nonce=issuer.nonce())]}}
    issued = issuer.http.post("/lv-vsaa/credential", json=body, headers={"Authorization": f"Bearer {token}"})
    assert issued.status_code == 200, issued.text
    anchors = [issuer.pki.cas["LV:VSAA"][1]]
    now = datetime.now(UTC)
    ref = mdoc.verify_issuer_signed(b64url_decode(issued.json()["credentials"][0]["credential"]), anchors=anchors,
                                    now=now).status
    assert ref is not None and ref.token_form == status_list.CWT
    cwt = issuer.http.get(urlsplit(ref.uri).path, headers={"Accept": status_list.CWT_MEDIA_TYPE})
    assert cwt.headers["content-type"] == status_list.CWT_MEDIA_TYPE and "Accept" in cwt.headers["vary"]
    verified = status_list.verify_cwt_token(cwt.content, uri=ref.uri, anchors=anchors, now=now)
    assert status_list.status_of(verified, ref) == status_list.VALID
    jwt = issuer.http.get(urlsplit(ref.uri).path, headers={"Accept": f"{status_list.MEDIA_TYPE}, */*"})
    assert jwt.headers["content-type"] == status_list.MEDIA_TYPE and jwt.headers["etag"] != cwt.headers["etag"]

    listed = trust_list.ListedCertificate(anchors[0].public_bytes(serialization.Encoding.DER), trust_list.CA,
                                          now - timedelta(days=1), now + timedelta(days=1))
    entity = trust_list.ListedEntity("LV:VSAA", "LV", "x", "x", frozenset({"pda1_issuer"}), (listed,),
                                     (trust_list.StatusPeriod(trust_list.ACTIVE, now - timedelta(days=1)),))
    with httpx.Client(base_url=issuer.url, timeout=10) as http:
        client = StatusClient(http)
        assert client(ref, entity, now).value == status_list.VALID
        issuer.http.post(f"/lv-vsaa/api/cases/{case}/revoke", json={"reason": "test"}, headers=issuer.clerk())
        assert client(ref, entity, datetime.now(UTC)).value == status_list.INVALID


def test_back_office_needs_the_institutions_own_token(issuer: Issuer) -> None:
    assert issuer.http.get("/lv-vsaa/api/cases").status_code == 401
    response = issuer.http.get("/lv-vsaa/api/cases", headers=issuer.clerk("LV:NVD"))
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"
    assert issuer.http.get("/lv-vsaa/api/cases", headers=issuer.clerk()).status_code == 200


def test_bad_case_data_names_the_field_and_rule_and_stores_nothing(issuer: Issuer) -> None:
    before = len(issuer.http.get("/lv-vsaa/api/cases", headers=issuer.clerk()).json())
    bad = dict(PERSON.pda1, status_confirmation="13")
    response = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1", "claims": bad,
                                                            "holder": PERSON.holder},
                                headers=issuer.clerk())
    assert response.status_code == 400
    assert response.json()["field"] == "status_confirmation"
    assert response.json()["rule"]
    assert len(issuer.http.get("/lv-vsaa/api/cases", headers=issuer.clerk()).json()) == before


def test_csv_import_imports_good_rows_and_names_bad_ones(issuer: Issuer) -> None:
    template = issuer.http.get("/import-template.csv").text
    header, good = template.strip().splitlines()[:2]
    # A number of its own: with the good row's, the file would be refused whole for the number.
    bad = good.replace(",LV,01,", ",XX,01,").replace("DEMO-A1-LV-9001", "DEMO-A1-LV-9002")
    assert bad.count("DEMO-A1-LV-9002") == 1
    upload = f"{header}\n{good}\n{bad}\n".encode()
    response = issuer.http.post("/lv-vsaa/api/import", files={"file": ("cases.csv", upload, "text/csv")},
                                headers=issuer.clerk())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 1 and report["rejected"] == 1
    assert report["rows"][1]["row"] == 3 and report["rows"][1]["field"] == "legislation_country"


def test_a_registers_no_end_date_is_a_400_naming_the_field_and_the_import_goes_on(issuer: Issuer) -> None:
    """9999-12-31 (many registers' "no end") gave a 500, and stopped an import half-way with no report
    of the rows already recorded: it is a 400 on the field, and one row of the import's report."""
    claims = {**unnumbered(PERSON.pda1), "status_confirmation": "05", "ending_date": "9999-12-31"}
    response = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1", "claims": claims,
                                                            "holder": PERSON.holder},
                                headers=issuer.clerk())
    assert response.status_code == 400, response.text
    assert (response.json()["field"], response.json()["rule_key"]) == ("ending_date", "date.too_late")
    template = issuer.http.get("/import-template.csv").text
    header, good = template.strip().splitlines()[:2]
    columns = header.split(",")
    cells = good.split(",")
    assert len(cells) == len(columns)  # the template's sample row holds no quoted comma
    far = list(cells)
    far[columns.index("ending_date")] = "9999-12-31"
    far[columns.index("document_number")] = "DEMO-A1-LV-9003"
    last = [c.replace("DEMO-A1-LV-9001", "DEMO-A1-LV-9004") for c in cells]
    upload = "\n".join([header, good.replace("DEMO-A1-LV-9001", "DEMO-A1-LV-9005"), ",".join(far),
                        ",".join(last)]).encode() + b"\n"
    response = issuer.http.post("/lv-vsaa/api/import", files={"file": ("cases.csv", upload, "text/csv")},
                                headers=issuer.clerk())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["failed"]) == ([2, 4], [3])
    assert report["rows"][1]["field"] == "ending_date"


def test_offer_qr_png_decodes_to_the_offer_link(issuer: Issuer) -> None:
    from credentials.qr_picture import read_qr

    case = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1",
                                                        "claims": unnumbered(PERSON.pda1),
                                                        "holder": PERSON.holder},
                            headers=issuer.clerk()).json()["id"]
    created = issuer.http.post(f"/lv-vsaa/api/cases/{case}/offer", headers=issuer.clerk()).json()
    png = issuer.http.get(created["qr_png"], headers=issuer.clerk())
    assert png.headers["content-type"] == "image/png"
    assert read_qr(png.content) == created["link"]
    svg = issuer.http.get(created["qr_svg"], headers=issuer.clerk())
    assert svg.text.lstrip().startswith("<svg")


def test_garbage_never_gives_a_500(issuer: Issuer) -> None:
    posts = ["/lv-vsaa/token", "/lv-vsaa/credential", "/lv-vsaa/notification", "/lv-vsaa/api/cases",
             "/lv-vsaa/api/import", "/nowhere/token", "/lv-vsaa/par", "/nowhere/par"]
    bodies: list[dict[str, Any]] = [{"content": b"\xff\xfe"}, {"content": b"{"}, {"json": []}, {"json": {"a": 1}},
                                    {"data": {"grant_type": PRE_AUTH_GRANT}}]
    for path in posts:
        for body in bodies:
            response = issuer.http.post(path, headers={**issuer.clerk(), "Content-Type": "application/json"}
                                        if "content" in body else issuer.clerk(), **body)
            assert 400 <= response.status_code < 500, (path, body, response.status_code, response.text)
            assert "error" in response.json()


# --- the authorization code flow (OpenID4VCI §5; HAIP §5: PAR, PKCE S256, iss) -----------------------

REDIRECT = "http://127.0.0.1:9/wallet/callback"  # a loopback redirect_uri (RFC 8252); nothing listens there
CLIENT = "esspass-reference-wallet"


def _verifier() -> str:
    return secrets.token_urlsafe(48)


def _push(issuer: Issuer, offer: dict[str, Any], verifier: str, **change: str | None) -> httpx.Response:
    """A wallet's pushed authorization request for the offer's issuer_state (RFC 9126)."""
    form: dict[str, str | None] = {
        "response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "state": "wallet-state-1",
        "code_challenge": authorization_code.pkce_challenge(verifier), "code_challenge_method": "S256",
        "issuer_state": offer["grants"]["authorization_code"]["issuer_state"],
        "authorization_details": json.dumps([{"type": "openid_credential", "credential_configuration_id": "pda1"}]),
        **change,
    }
    return issuer.http.post("/lv-vsaa/par", data={k: v for k, v in form.items() if v is not None},
                            headers=issuer.attestation_headers())


def _authorize(issuer: Issuer, request_uri: str, tx_code: str, action: str = "authorise") -> httpx.Response:
    return issuer.http.post("/lv-vsaa/authorize", data={"client_id": CLIENT, "request_uri": request_uri,
                                                        "tx_code": tx_code, "action": action})


def _code_from(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _code_token(issuer: Issuer, code: str, verifier: str | None, redirect_uri: str = REDIRECT) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        form["code_verifier"] = verifier
    return issuer.http.post("/lv-vsaa/token", data=form, headers=issuer.attestation_headers())


def test_the_authorization_server_offers_the_pushed_code_flow_with_pkce(issuer: Issuer) -> None:
    meta = issuer.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert meta["authorization_endpoint"] == f"{issuer.url}/lv-vsaa/authorize"
    assert meta["pushed_authorization_request_endpoint"] == f"{issuer.url}/lv-vsaa/par"
    assert meta["require_pushed_authorization_requests"] is True
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert "authorization_code" in meta["grant_types_supported"] and meta["response_types_supported"] == ["code"]
    _case, offer, _tx = issuer.offer()
    assert set(offer["grants"]) == {PRE_AUTH_GRANT, "authorization_code"}


def test_the_authorization_page_shows_where_the_code_typed_there_would_go(issuer: Issuer) -> None:
    """Any wallet may push a request naming its own redirect_uri (public clients): a worker sent to
    the institution's page by someone else's link must see whose wallet would receive the document."""
    _case_id, offer, _tx = issuer.offer()
    elsewhere = _push(issuer, offer, _verifier(), redirect_uri="https://wallet.attacker.example/cb?x=1")
    assert elsewhere.status_code == 201, elsewhere.text
    page = issuer.http.get("/lv-vsaa/authorize", params={"client_id": CLIENT,
                                                         "request_uri": elsewhere.json()["request_uri"]})
    assert page.status_code == 200
    assert "https://wallet.attacker.example" in page.text and "Cancel" in page.text
    assert "/cb?x=1" not in page.text
    page = issuer.http.get("/lv-vsaa/authorize", params={"client_id": CLIENT, "lang": "lv",
                                                         "request_uri": elsewhere.json()["request_uri"]})
    assert "https://wallet.attacker.example" in page.text and "Atcelt" in page.text


def test_the_code_flow_gives_the_document_to_the_wallet_that_pushed_the_request(issuer: Issuer) -> None:
    case_id, offer, tx = issuer.offer()
    verifier = _verifier()
    pushed = _push(issuer, offer, verifier)
    assert pushed.status_code == 201, pushed.text
    request_uri = pushed.json()["request_uri"]
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:") and pushed.json()["expires_in"] > 0
    page = issuer.http.get("/lv-vsaa/authorize", params={"client_id": CLIENT, "request_uri": request_uri})
    assert page.status_code == 200
    assert "Portable Document A1" in page.text and "Valsts sociālās apdrošināšanas aģentūra" in page.text
    assert "form-action 'self' http://127.0.0.1:9" in page.headers["content-security-policy"]
    answer = _code_from(_authorize(issuer, request_uri, tx))
    assert answer["state"] == "wallet-state-1" and answer["iss"] == f"{issuer.url}/lv-vsaa"  # RFC 9207
    key = generate_key()
    token = issuer.http.post("/lv-vsaa/token", headers={**issuer.attestation_headers(), "DPoP": _dpop(
        key, f"{issuer.url}/lv-vsaa/token", nonce=_server_nonce(issuer))}, data={
        "grant_type": "authorization_code", "code": answer["code"], "redirect_uri": REDIRECT,
        "code_verifier": verifier})
    assert token.status_code == 200, token.text
    assert token.json()["token_type"] == "DPoP"
    # §6.2: asked by authorization_details, answered with them and the credential identifiers.
    assert token.json()["authorization_details"] == [{"type": "openid_credential", "credential_configuration_id":
                                                      "pda1", "credential_identifiers": ["pda1"]}]
    access = token.json()["access_token"]
    proof = _dpop(key, f"{issuer.url}/lv-vsaa/credential", token=access, nonce=_server_nonce(issuer))
    issued = _credential_with(issuer, access, proof=proof, identifier="pda1")
    assert issued.status_code == 200, issued.text
    # The offer is spent: neither grant works again.
    assert issuer.token(offer, tx).json()["error"] == "invalid_grant"
    assert _push(issuer, offer, _verifier()).json()["error"] == "invalid_request"
    events = [e["action"] for e in issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=issuer.clerk()).json()[
        "events"]]
    assert "authorised" in events and "wallet_authorised" in events


def _code_flow_token(issuer: Issuer, **push: str | None) -> dict[str, Any]:
    _case, offer, tx = issuer.offer()
    verifier = _verifier()
    pushed = _push(issuer, offer, verifier, **push)
    assert pushed.status_code == 201, pushed.text
    code = _code_from(_authorize(issuer, pushed.json()["request_uri"], tx))["code"]
    token = _code_token(issuer, code, verifier)
    assert token.status_code == 200, token.text
    body: dict[str, Any] = token.json()
    return body


def test_the_token_covers_only_what_the_worker_authorized_by_its_credential_identifiers(issuer: Issuer) -> None:
    """§6.2, §8.2: authorized for the A1 as SD-JWT VC only, the token gives it by its identifier, once,
    and neither the mdoc form nor a request by configuration id."""
    token = _code_flow_token(issuer)
    access = token["access_token"]
    assert token["authorization_details"][0]["credential_identifiers"] == ["pda1"]
    by_config = _credential_with(issuer, access, scheme="Bearer", proof=None)
    assert (by_config.status_code, by_config.json()["error"]) == (400, "invalid_credential_request")
    other = _credential_with(issuer, access, scheme="Bearer", proof=None, identifier="pda1_mdoc")
    assert (other.status_code, other.json()["error"]) == (400, "unknown_credential_identifier")
    assert _credential_with(issuer, access, scheme="Bearer", proof=None, identifier="pda1").status_code == 200
    spent = _credential_with(issuer, access, scheme="Bearer", proof=None, identifier="pda1")
    assert (spent.status_code, spent.json()["error"]) == (400, "credential_request_denied")  # all authorized was given


def test_a_scope_authorizes_those_configurations_without_identifiers(issuer: Issuer) -> None:
    """§5.1.2: asked by scope, the token response has no authorization_details and the requests name
    the configuration; what the scope did not name is not issued."""
    token = _code_flow_token(issuer, authorization_details=None, scope="pda1_mdoc")
    assert "authorization_details" not in token
    access = token["access_token"]
    refused = _credential_with(issuer, access, scheme="Bearer", proof=None)
    assert (refused.status_code, refused.json()["error"]) == (400, "unknown_credential_configuration")
    assert _credential_with(issuer, access, scheme="Bearer", proof=None, configuration="pda1_mdoc").status_code == 200


def test_a_wrong_or_missing_pkce_verifier_is_refused_and_spends_the_code(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    verifier = _verifier()
    code = _code_from(_authorize(issuer, _push(issuer, offer, verifier).json()["request_uri"], tx))["code"]
    assert _code_token(issuer, code, None).json()["error"] == "invalid_request"
    assert _code_token(issuer, code, _verifier()).json()["error"] == "invalid_grant"
    assert _code_token(issuer, code, verifier).json()["error"] == "invalid_grant"  # tried once already


def test_an_authorization_code_works_once_and_only_with_its_redirect_uri(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    verifier = _verifier()
    code = _code_from(_authorize(issuer, _push(issuer, offer, verifier).json()["request_uri"], tx))["code"]
    assert _code_token(issuer, code, verifier, "https://attacker.example/cb").json()["error"] == "invalid_grant"
    assert _code_token(issuer, code, verifier).status_code == 200
    assert _code_token(issuer, code, verifier).json()["error"] == "invalid_grant"


def test_a_pushed_request_naming_an_open_offer_with_a_non_ascii_issuer_state_is_invalid_request(
        issuer: Issuer) -> None:
    """The offer's id from its link, then anything: compared with the offer's issuer_state, a
    non-ASCII value made hmac.compare_digest raise (a 500)."""
    _case, offer, _tx = issuer.offer()
    offer_id = offer["grants"]["authorization_code"]["issuer_state"].split(".")[0]
    response = _push(issuer, offer, _verifier(), issuer_state=f"{offer_id}.\u00e9")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


@pytest.mark.parametrize(("change", "error"), [
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge_method": None}, "invalid_request"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"issuer_state": None}, "invalid_request"),
    ({"issuer_state": "forged.AAAA"}, "invalid_request"),
    ({"redirect_uri": "http://wallet.example/cb"}, "invalid_request"),
    ({"redirect_uri": "https://wallet.example/cb#x"}, "invalid_request"),
    ({"authorization_details": json.dumps([{"type": "openid_credential",
                                            "credential_configuration_id": "ehic"}])}, "invalid_authorization_details"),
    ({"authorization_details": "[{]"}, "invalid_request"),
    ({"request_uri": "urn:ietf:params:oauth:request_uri:x"}, "invalid_request"),
], ids=["plain-pkce", "no-pkce", "implicit", "no-issuer-state", "forged-issuer-state", "http-redirect",
        "fragment", "other-credential", "bad-details", "nested-request-uri"])
def test_a_pushed_request_breaking_a_rule_is_refused(issuer: Issuer, change: dict[str, str | None],
                                                     error: str) -> None:
    _case, offer, _tx = issuer.offer()
    response = _push(issuer, offer, _verifier(), **change)
    assert (response.status_code, response.json()["error"]) == (400, error)


def test_garbage_on_the_authorization_page_is_a_page_not_a_500(issuer: Issuer) -> None:
    for data in ({}, {"client_id": "x", "request_uri": "urn:ietf:params:oauth:request_uri:nope", "tx_code": "1"},
                 {"request_uri": "\x00" * 600, "tx_code": "9" * 5000}, {"action": "cancel"}):
        response = issuer.http.post("/lv-vsaa/authorize", data=data)
        assert response.status_code == 400 and "location" not in response.headers, (data, response.text)
    assert issuer.http.get("/lv-vsaa/authorize", params={"request_uri": "x" * 5000}).status_code == 400
    assert issuer.http.get("/lv-vsaa/authorize?client_id=%ED%A0%80&request_uri=%FF").status_code == 400


def test_a_pushed_request_for_a_suspended_document_is_refused(issuer: Issuer) -> None:
    case_id, offer, _tx = issuer.offer()
    issuer.http.post(f"/lv-vsaa/api/cases/{case_id}/suspend", json={"reason": "check"}, headers=issuer.clerk())
    response = _push(issuer, offer, _verifier())
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    assert "withdrawn or suspended" in response.json()["error_description"]


def test_a_pushed_request_needs_an_attested_wallet(issuer: Issuer) -> None:
    _case, offer, _tx = issuer.offer()
    form = {"response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "code_challenge_method": "S256",
            "code_challenge": authorization_code.pkce_challenge(_verifier()), "scope": "pda1",
            "issuer_state": offer["grants"]["authorization_code"]["issuer_state"]}
    response = issuer.http.post("/lv-vsaa/par", data=form)
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")
    other = issuer.http.post("/lv-vsaa/par", data={**form, "client_id": "someone-else"},
                             headers=issuer.attestation_headers())
    assert (other.status_code, other.json()["error"]) == (401, "invalid_client")


def test_the_authorization_page_takes_only_pushed_requests(issuer: Issuer) -> None:
    """Parameters in the browser are not trusted: no redirect to an unchecked redirect_uri (RFC 6749 §4.1.2.1)."""
    page = issuer.http.get("/lv-vsaa/authorize", params={"client_id": CLIENT, "response_type": "code",
                                                          "redirect_uri": "https://attacker.example/cb"})
    assert page.status_code == 400 and "location" not in page.headers
    _case, offer, _tx = issuer.offer()
    request_uri = _push(issuer, offer, _verifier()).json()["request_uri"]
    assert issuer.http.get("/lv-vsaa/authorize", params={"client_id": "other", "request_uri": request_uri}
                           ).status_code == 400


def test_wrong_codes_on_the_page_then_the_wallet_is_told_access_denied(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    request_uri = _push(issuer, offer, _verifier()).json()["request_uri"]
    wrong = "000000" if tx != "000000" else "111111"
    for _ in range(4):
        again = _authorize(issuer, request_uri, wrong)
        assert again.status_code == 400 and 'id="error"' in again.text
    denied = _code_from(_authorize(issuer, request_uri, wrong))
    assert denied["error"] == "access_denied" and denied["state"] == "wallet-state-1" and "code" not in denied
    assert issuer.token(offer, tx).json()["error"] == "invalid_grant"  # the offer is locked for both grants


def test_the_worker_can_decline_on_the_page(issuer: Issuer) -> None:
    _case, offer, tx = issuer.offer()
    request_uri = _push(issuer, offer, _verifier()).json()["request_uri"]
    declined = _code_from(_authorize(issuer, request_uri, "", action="cancel"))
    assert declined["error"] == "access_denied"
    assert issuer.token(offer, tx).status_code == 200  # declining does not spend the offer


@pytest.mark.browser
def test_the_worker_authorises_in_the_browser_and_is_sent_back_to_the_wallet(issuer: Issuer, browser: Any) -> None:
    _case, offer, tx = issuer.offer()
    request_uri = _push(issuer, offer, _verifier()).json()["request_uri"]
    context = browser.new_context(locale="lv-LV")
    tab = context.new_page()
    arrived: list[str] = []

    def the_wallet(route: Any) -> None:
        arrived.append(route.request.url)
        route.fulfill(status=200, body="wallet")

    tab.route("http://127.0.0.1:9/**", the_wallet)
    tab.goto(f"{issuer.url}/lv-vsaa/authorize?" + urlencode({"client_id": CLIENT, "request_uri": request_uri}))
    assert tab.locator("html").get_attribute("lang") == "lv"
    assert "vienreizējo kodu" in tab.inner_text("#explain")
    tab.fill("#tx_code", "999999" if tx != "999999" else "888888")
    tab.click("#authorise")
    assert tab.locator("#error").count() == 1
    tab.fill("#tx_code", tx)
    tab.click("#authorise")
    tab.wait_for_url("http://127.0.0.1:9/**")
    answer = {k: v[0] for k, v in parse_qs(urlsplit(arrived[-1]).query).items()}
    assert answer["iss"] == f"{issuer.url}/lv-vsaa" and answer["code"] and answer["state"] == "wallet-state-1"
    context.close()


def test_a_new_offer_for_a_case_makes_the_earlier_qr_code_stop_working(issuer: Issuer) -> None:
    case_id, first, _ = issuer.offer()
    second = issuer.http.post(f"/lv-vsaa/api/cases/{case_id}/offer", headers=issuer.clerk("LV:VSAA"))
    assert second.status_code == 201, second.text
    refused = issuer.token(first, second.json()["tx_code"])
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    assert "newer offer" in refused.json()["error_description"]  # not "already used": nobody took it
    uri = parse_qs(urlsplit(second.json()["link"]).query)["credential_offer_uri"][0]
    assert issuer.token(issuer.http.get(uri).json(), second.json()["tx_code"]).status_code == 200


def test_the_offer_of_a_withdrawn_document_is_refused_before_the_code_is_typed(issuer: Issuer) -> None:
    case_id = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1",
                                                           "claims": unnumbered(PERSON.pda1),
                                                           "holder": PERSON.holder},
                               headers=issuer.clerk("LV:VSAA")).json()["id"]
    created = issuer.http.post(f"/lv-vsaa/api/cases/{case_id}/offer", headers=issuer.clerk("LV:VSAA")).json()
    uri = parse_qs(urlsplit(created["link"]).query)["credential_offer_uri"][0]
    withdrawn = issuer.http.post(f"/lv-vsaa/api/cases/{case_id}/revoke", json={"reason": "posting cancelled"},
                                 headers=issuer.clerk("LV:VSAA"))
    assert withdrawn.status_code == 200
    offer = issuer.http.get(uri)
    assert offer.status_code == 404 and "withdrawn" in offer.json()["error_description"]


def test_the_institutions_own_name_is_labelled_with_its_language_not_its_country(issuer: Issuer) -> None:
    """OpenID4VCI 1.0 §12.2.4: ``locale`` is a BCP 47 language tag; Austria's ÖGK writes German."""
    display = issuer.http.get("/.well-known/openid-credential-issuer/at-oegk").json()["display"]
    assert {"name": "Österreichische Gesundheitskasse", "locale": "de"} in display
    assert {d["locale"] for d in display} == {"de", "en"}


def test_a_wallet_without_attestation_names_itself_when_it_redeems_the_code(tmp_path: Path) -> None:
    """RFC 6749 §4.1.3: client_id is REQUIRED from a client that does not authenticate, and the code
    goes only to the client it was issued to."""
    from issuer.app import build_service

    service = build_service(IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1",
                                           wallet_attestation="off", dpop_nonce=False))
    inst = service.institution("lv-vsaa")
    outcomes = {}
    for sent in (None, "someone-else", CLIENT):
        case = service.create_case(inst, "pda1", unnumbered(PERSON.pda1), actor="clerk", holder=PERSON.holder)
        offer = service.create_offer(inst, case.id, actor="clerk")
        state = service.offer_json(inst, offer.offer_id)["grants"]["authorization_code"]["issuer_state"]
        verifier = _verifier()
        pushed = service.push_authorization(inst, {
            "response_type": "code", "client_id": CLIENT, "redirect_uri": REDIRECT, "issuer_state": state,
            "code_challenge": authorization_code.pkce_challenge(verifier), "code_challenge_method": "S256",
            "scope": "pda1"})
        answer = urlsplit(service.authorize(inst, CLIENT, pushed["request_uri"], offer.tx_code))
        form = {"grant_type": "authorization_code", "code": parse_qs(answer.query)["code"][0],
                "redirect_uri": REDIRECT, "code_verifier": verifier, **({"client_id": sent} if sent else {})}
        try:
            outcomes[sent] = service.token(inst, form)["token_type"]
        except ProtocolError as exc:
            outcomes[sent] = exc.error
    service.engine.dispose()
    assert outcomes == {None: "invalid_request", "someone-else": "invalid_grant", CLIENT: "Bearer"}


def test_a_wallets_failure_is_in_the_case_history_once_however_often_it_is_sent(issuer: Issuer) -> None:
    """§11.1 credential_failure with its event_description: the clerk sees why, once."""
    case_id, offer, tx = issuer.offer()
    token = issuer.token(offer, tx).json()["access_token"]
    body = issuer.credential(token, [issuer.proof(generate_key(), nonce=issuer.nonce())]).json()
    for _ in range(3):
        sent = issuer.http.post("/lv-vsaa/notification", headers={"Authorization": f"Bearer {token}"}, json={
            "notification_id": body["notification_id"], "event": "credential_failure",
            "event_description": "the phone's secure storage is full"})
        assert sent.status_code == 204
    events = issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=issuer.clerk()).json()["events"]
    assert [(e["action"], e["reason"]) for e in events if e["actor"] == "wallet"] == [
        ("wallet_failure", "the phone's secure storage is full")]


def test_a_redirect_uri_that_would_write_into_the_pages_policy_is_refused(issuer: Issuer) -> None:
    """The authorization page names the redirect's origin in its CSP form-action: a "host" with ";"
    would add directives (frame-ancestors *) and let another site frame the one-time-code form."""
    _case, offer, _tx = issuer.offer()
    for bad in ("https://evil.example;frame-ancestors *;script-src 'unsafe-inline' *;x/cb",
                "https://evil.example%20*/cb", "https://user:pw@wallet.example/cb", "https://wallet.example:x/cb"):
        pushed = _push(issuer, offer, _verifier(), redirect_uri=bad)
        assert (pushed.status_code, pushed.json()["error"]) == (400, "invalid_request"), bad


def test_the_back_offices_answers_with_peoples_data_are_not_cached(issuer: Issuer) -> None:
    case_id, _offer, _tx = issuer.offer()
    for path in (f"/lv-vsaa/api/cases/{case_id}", "/lv-vsaa/api/cases?q=DEMO"):
        response = issuer.http.get(path, headers=issuer.clerk())
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store", path


def test_an_offer_for_a_card_that_has_expired_is_refused_before_the_worker_types_the_code(issuer: Issuer) -> None:
    """The credential endpoint would refuse it only after the code is typed: the clerk is told at once.
    (An A1 whose period has ended is offered, the proof of that period: tests/test_retroactive_a1.py.)"""
    today = datetime.now(UTC).date()
    ended = {**unnumbered(PERSON.ehic), "date_of_issuance": (today - timedelta(days=200)).isoformat(),
             "date_of_expiry": (today - timedelta(days=2)).isoformat()}
    case = issuer.http.post("/lv-nvd/api/cases", json={"configuration_id": "ehic", "claims": ended,
                                                       "holder": PERSON.holder}, headers=issuer.clerk("LV:NVD"))
    assert case.status_code == 201, case.text
    offer = issuer.http.post(f"/lv-nvd/api/cases/{case.json()['id']}/offer", headers=issuer.clerk("LV:NVD"))
    assert offer.status_code == 409, offer.text
    assert offer.json()["error"] == "invalid_request"
    assert f"expired on {ended['date_of_expiry']}" in offer.json()["error_description"]
    events = issuer.http.get(f"/lv-nvd/api/cases/{case.json()['id']}", headers=issuer.clerk("LV:NVD")).json()["events"]
    assert [e["action"] for e in events] == ["created"]


def test_a_withdrawn_document_cannot_be_offered_again_and_is_not_told_to_be_reinstated(issuer: Issuer) -> None:
    case = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1", "claims": unnumbered(PERSON.pda1),
                                                        "holder": PERSON.holder},
                            headers=issuer.clerk()).json()["id"]
    suspended = issuer.http.post(f"/lv-vsaa/api/cases/{case}/suspend", json={"reason": "check"}, headers=issuer.clerk())
    assert suspended.status_code == 200
    offer = issuer.http.post(f"/lv-vsaa/api/cases/{case}/offer", headers=issuer.clerk())
    assert offer.status_code == 409 and "reinstate it first" in offer.json()["error_description"]  # it can be
    issuer.http.post(f"/lv-vsaa/api/cases/{case}/revoke", json={"reason": "posting cancelled"},
                     headers=issuer.clerk()).raise_for_status()
    for refused in (issuer.http.post(f"/lv-vsaa/api/cases/{case}/offer", headers=issuer.clerk()),
                    issuer.http.get(f"/lv-vsaa/api/cases/{case}/paper.pdf", headers=issuer.clerk())):
        assert refused.status_code == 409 and refused.json()["error"] == "invalid_request"
        said = refused.json()["error_description"]
        assert "withdrawn" in said and "record a new case" in said and "reinstate" not in said, said


def test_a_credential_record_names_its_status_list_as_the_status_list_uri_does(issuer: Issuer) -> None:
    """Each institution numbers its own lists from 1: the case shows that number (and the URI), never the
    database row of the list, which two institutions cannot share."""
    for path, entity, config in (("lv-nvd", "LV:NVD", "ehic"), ("lv-vsaa", "LV:VSAA", "pda1")):
        case, offer, tx = issuer.offer(path=path, entity=entity, config=config)
        token = issuer.token(offer, tx, path=path).json()["access_token"]
        proof = issuer.proof(generate_key(), nonce=issuer.nonce(path), aud=f"{issuer.url}/{path}")
        issued = issuer.credential(token, [proof], config=config, path=path)
        assert issued.status_code == 200, issued.text
        payload = json.loads(b64url_decode(issued.json()["credentials"][0]["credential"].split("~")[0].split(".")[1]))
        uri, idx = payload["status"]["status_list"]["uri"], payload["status"]["status_list"]["idx"]
        got = issuer.http.get(f"/{path}/api/cases/{case}", headers=issuer.clerk(entity)).json()
        records = got["credential_records"]
        assert [(r["status_list"], r["status_list_uri"], r["idx"]) for r in records] == \
            [(int(uri.rsplit("/", 1)[1]), uri, idx)]
