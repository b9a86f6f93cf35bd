"""Review round 4 of the issuer (security and interop reviews): each test is one requirement it was
found to break, named after it.

* A copy of the database gives no open offer away: the pre-authorized code is derived from the offer
  key (``ESSPASS_ISSUER_OFFER_KEY_FILE``, outside the database), and the tx_code's MAC and
  ``issuer_state`` are keyed by it (OpenID4VCI §4.1.1, §13.6 "Pre-Authorized Code Flow" mitigations).
* OpenID4VCI §8.3.1.2: a refused credential request with a good access token is 400
  ``credential_request_denied``, not 401 ``invalid_token``.
* SD-JWT VC JWT VC Issuer Metadata (standards.md §2.3, §2.4): ``jwks`` holds the signer keys.
* OpenID4VCI §8.2, §9.1, §11.1: the request bodies are ``application/json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError, IssuerSignatureError, ProtocolError
from credentials.jose import (
    b64url_encode,
    decode_jws,
    generate_key,
    public_jwk,
    public_key_from_jwk,
    sign_jws,
    verify_jws,
)
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.pki import DemoPki
from credentials.x509 import load_x5c, spki_kid
from esspass.db import make_engine
from esspass.stack import unnumbered
from esspass.testing import free_port, serve
from issuer.app import create_app, hosted_institutions
from issuer.db import Offer, stored_hash
from issuer.service import IssuerService, jwt_vc_issuer_metadata
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings

PERSON = DEMO_PERSONS[0]
AUTH_CODE_GRANT = "authorization_code"


@dataclass
class Issuer:
    """The issuer on loopback (wallet attestation off) with the clerk's and an anonymous wallet's view."""

    url: str
    http: httpx.Client
    settings: IssuerSettings
    tokens: dict[str, str]

    def clerk(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['LV:VSAA']}"}

    def offer(self) -> dict[str, Any]:
        """A new case's offer as the clerk gets it (``offer_id``, ``credential_offer_uri``, ``tx_code``)."""
        case = self.http.post("/lv-vsaa/api/cases", headers=self.clerk(),
                              json={"configuration_id": "pda1", "claims": unnumbered(PERSON.pda1),
                                    "holder": PERSON.holder})
        assert case.status_code == 201, case.text
        created = self.http.post(f"/lv-vsaa/api/cases/{case.json()['id']}/offer", headers=self.clerk())
        assert created.status_code == 201, created.text
        result: dict[str, Any] = created.json()
        return result

    def token(self, headers: dict[str, str] | None = None) -> httpx.Response:
        """The token response for a new offer, fetched and redeemed as a wallet does."""
        created = self.offer()
        offer = self.http.get(urlsplit(created["credential_offer_uri"]).path).json()
        return self.http.post("/lv-vsaa/token", headers=headers or {}, data={
            "grant_type": PRE_AUTH_GRANT, "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"],
            "tx_code": created["tx_code"]})

    def access_token(self) -> str:
        response = self.token()
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def nonce(self) -> str:
        return str(self.http.post("/lv-vsaa/nonce").json()["c_nonce"])

    def proof(self) -> str:
        key = generate_key()
        return sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(key)},
                        {"aud": f"{self.url}/lv-vsaa", "iat": int(time.time()), "nonce": self.nonce()}, key)

    def credential(self, token: str, configuration_id: str = "pda1", **headers: str) -> httpx.Response:
        return self.http.post("/lv-vsaa/credential", json={"credential_configuration_id": configuration_id,
                                                           "proofs": {"jwt": [self.proof()]}},
                              headers={"Authorization": f"Bearer {token}", **headers})

    def offer_row(self, offer_id: str) -> dict[str, Any]:
        """What a copy of the database holds of an offer (an SQL read, no service code)."""
        db = sqlite3.connect(self.settings.data_dir / "issuer.db")
        try:
            db.row_factory = sqlite3.Row
            return dict(db.execute("SELECT * FROM issuer_offers WHERE id = ?", (offer_id,)).fetchone())
        finally:
            db.close()


@pytest.fixture(scope="module")
def issuer(registry_dir: Path) -> Iterator[Issuer]:
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}",
                                  registry_url=registry.url, wallet_attestation="off", dpop_nonce=False)
        with serve(create_app(settings), port=port) as handle, httpx.Client(base_url=handle.url, timeout=20) as http:
            tokens = json.loads((registry_dir / "issuer" / "clerk-tokens.json").read_text())
            yield Issuer(handle.url, http, settings, tokens)


# --- a copy of the database gives no offer away ------------------------------------------------------------


def test_a_copy_of_the_database_does_not_give_an_open_offers_tx_code(issuer: Issuer) -> None:
    """Security review 1: the row of an open offer kept the pre-authorized code in clear and the
    tx_code's MAC keyed by it, so 10**6 HMACs over a stolen row gave the 6 digits and the document.
    Now the row holds neither the code nor anything keying a MAC: the brute force of every tx_code
    with every secret the row holds finds nothing, and ``issuer_state`` cannot be made from it."""
    created = issuer.offer()
    offer = issuer.http.get(urlsplit(created["credential_offer_uri"]).path).json()
    code = offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
    row = issuer.offer_row(created["offer_id"])  # the attacker's copy
    assert row["code"] is None and code not in {str(v) for v in row.values()}
    target = bytes.fromhex(row["tx_code_hash"])
    keys = [str(row[c]).encode() for c in ("code", "id", "code_hash") if row[c] is not None]
    found = [guess for key in keys for guess in (f"{n:06d}".encode() for n in range(10**6))
             if hmac.compare_digest(hmac.digest(key, guess, "sha256"), target)]
    assert found == [], "the database row alone gave the tx_code away"
    state = offer["grants"][AUTH_CODE_GRANT]["issuer_state"]
    assert all(state != f"{row['id']}.{b64url_encode(hmac.digest(k, b'issuer_state', 'sha256')[:18])}" for k in keys)
    # The offer itself works as before for the worker who has the code and the tx_code.
    redeemed = issuer.http.post("/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                                        "tx_code": created["tx_code"]})
    assert redeemed.status_code == 200, redeemed.text


def test_another_replica_sharing_the_offer_key_file_serves_and_redeems_the_offer(issuer: Issuer) -> None:
    """Every replica derives the same code from the shared key file: an offer made on one is served
    (the same pre-authorized code) and redeemed with its tx_code on another."""
    with serve(create_app(issuer.settings)) as replica, httpx.Client(base_url=replica.url, timeout=20) as other:
        created = issuer.offer()
        path = urlsplit(created["credential_offer_uri"]).path
        here, there = issuer.http.get(path).json(), other.get(path).json()
        assert there["grants"] == here["grants"]
        redeemed = other.post("/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "tx_code": created["tx_code"],
                                                      "pre-authorized_code": there["grants"][PRE_AUTH_GRANT]
                                                      ["pre-authorized_code"]})
        assert redeemed.status_code == 200, redeemed.text


def test_an_issuer_without_the_offer_key_serves_no_offer_and_counts_no_try(issuer: Issuer) -> None:
    """The database with another key (the key file replaced or lost, a replica not given it, or a
    thief running the issuer over a copy) cannot make the code: the offer is void there (404 at its
    link, invalid_grant for its code: ask the institution for a new one), never a code no one
    redeems, and no tx_code try is counted against the worker; an issuer with the key still serves it."""
    created = issuer.offer()
    path = urlsplit(created["credential_offer_uri"]).path
    code = issuer.http.get(path).json()["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
    engine = make_engine(issuer.settings.db_url("issuer.db"))
    try:
        stranger = IssuerService(engine, hosted_institutions(issuer.settings))  # a key of its own
        vsaa = stranger.institution("lv-vsaa")
        with pytest.raises(ProtocolError) as refused:
            stranger.offer_json(vsaa, created["offer_id"])
        assert (refused.value.error, refused.value.http_status) == ("not_found", 404)
        assert "ask your institution for a new one" in refused.value.message
        with pytest.raises(ProtocolError) as refused:
            stranger.token(vsaa, {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code, "tx_code": "000000"})
        assert (refused.value.error, refused.value.http_status) == ("invalid_grant", 400)
        assert "ask your institution for a new one" in refused.value.message
    finally:
        engine.dispose()
    assert issuer.offer_row(created["offer_id"])["attempts"] == 0
    redeemed = issuer.http.post("/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                                        "tx_code": created["tx_code"]})
    assert redeemed.status_code == 200, redeemed.text


def test_a_named_offer_key_file_that_is_missing_stops_the_issuer_before_it_starts(
        registry_dir: Path, tmp_path: Path) -> None:
    """``ESSPASS_ISSUER_OFFER_KEY_FILE`` naming no file is one line naming the setting (``esspass
    issuer serve`` exits 1 before uvicorn), not a new key that the other replicas do not have; only
    the default path's key is made on first start. A file that holds no key is refused too."""
    from issuer.app import build_service

    missing = tmp_path / "shared" / "offer.key"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    env.update(ESSPASS_DATA_DIR=str(registry_dir), ESSPASS_ISSUER_OFFER_KEY_FILE=str(missing))
    # A command that should have refused but serves instead runs into the timeout, which fails the test.
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "serve", "--port", str(free_port())],
                          cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "ESSPASS_ISSUER_OFFER_KEY_FILE" in lines[0] and "does not exist" in lines[0], \
        done.stderr
    with pytest.raises(DataError) as refused:
        build_service(IssuerSettings(data_dir=registry_dir, public_url="http://127.0.0.1:1", offer_key_file=missing))
    assert refused.value.field == "ESSPASS_ISSUER_OFFER_KEY_FILE" and str(missing) in refused.value.rule
    assert not missing.exists()
    missing.parent.mkdir()
    missing.write_text("not a key\n")
    with pytest.raises(DataError, match="256-bit key"):
        build_service(IssuerSettings(data_dir=registry_dir, public_url="http://127.0.0.1:1", offer_key_file=missing))


def test_the_default_offer_key_is_made_once_private_on_first_start(tmp_path: Path) -> None:
    from issuer.settings import configured_offer_key

    settings = IssuerSettings(data_dir=tmp_path)
    assert not settings.offer_key_path().exists()  # nothing read or made with the settings
    key = configured_offer_key(settings)
    assert len(key) == 32 and settings.offer_key_path() == tmp_path / "issuer" / "offer.key"
    assert settings.offer_key_path().stat().st_mode & 0o777 == 0o600
    assert configured_offer_key(IssuerSettings(data_dir=tmp_path)) == key


def test_an_offer_made_before_the_upgrade_is_served_and_redeemed_as_it_was_made(issuer: Issuer) -> None:
    """Migration 0016: an offer recorded by the earlier release (its code in clear, its MACs keyed by
    it, no ``scheme``) is served with that code and ``issuer_state`` and takes its tx_code until it ends."""
    case = issuer.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1",
                                                        "claims": unnumbered(PERSON.pda1),
                                                        "holder": PERSON.holder}, headers=issuer.clerk())
    code, tx_code, offer_id = secrets.token_urlsafe(32), "314159", secrets.token_urlsafe(24)
    engine = make_engine(issuer.settings.db_url("issuer.db"))
    try:
        with Session(engine) as s, s.begin():
            s.add(Offer(id=offer_id, case_id=case.json()["id"], code=code, code_hash=stored_hash(code),
                        tx_code_hash=hmac.new(code.encode(), tx_code.encode(), hashlib.sha256).hexdigest(),
                        attempts=0, expires_at=datetime.now(UTC) + timedelta(minutes=15), state="open"))
    finally:
        engine.dispose()
    offer = issuer.http.get(f"/lv-vsaa/offers/{offer_id}").json()
    assert offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"] == code
    mac = hmac.digest(code.encode(), b"issuer_state", "sha256")[:18]
    assert offer["grants"][AUTH_CODE_GRANT]["issuer_state"] == f"{offer_id}.{b64url_encode(mac)}"
    form = {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code}
    wrong = issuer.http.post("/lv-vsaa/token", data={**form, "tx_code": "271828"})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert issuer.offer_row(offer_id)["attempts"] == 1
    redeemed = issuer.http.post("/lv-vsaa/token", data={**form, "tx_code": tx_code})
    assert redeemed.status_code == 200, redeemed.text
    assert issuer.offer_row(offer_id)["code"] is None  # erased once used, as before


# --- OpenID4VCI §8.3.1.2: a good token refused a second credential is not invalid_token --------------------


def _dpop(key: Any, url: str, token: str | None = None) -> str:
    claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": "POST", "htu": url, "iat": int(time.time())}
    if token is not None:
        claims["ath"] = b64url_encode(hashlib.sha256(token.encode()).digest())
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)}, claims, key)


@pytest.mark.parametrize("scheme", ["Bearer", "DPoP"])
def test_oid4vci_8_3_1_2_a_second_request_for_a_configuration_is_credential_request_denied(
        issuer: Issuer, scheme: str) -> None:
    """Interop review 1: the token gives one credential response per configuration it covers; asking
    again is 400 ``credential_request_denied`` saying so, not 401 ``invalid_token`` (which has a
    conformant wallet throw away a token still good for the mdoc form and for notifications)."""
    key = generate_key()
    headers = {"DPoP": _dpop(key, f"{issuer.url}/lv-vsaa/token")} if scheme == "DPoP" else {}
    granted = issuer.token(headers=headers)
    assert granted.status_code == 200 and granted.json()["token_type"] == scheme, granted.text
    token = granted.json()["access_token"]

    def request(configuration_id: str) -> httpx.Response:
        body = {"credential_configuration_id": configuration_id, "proofs": {"jwt": [issuer.proof()]}}
        auth = {"Authorization": f"{scheme} {token}"}
        if scheme == "DPoP":
            auth["DPoP"] = _dpop(key, f"{issuer.url}/lv-vsaa/credential", token)
        return issuer.http.post("/lv-vsaa/credential", json=body, headers=auth)

    first = request("pda1")
    assert first.status_code == 200, first.text
    again = request("pda1")
    assert (again.status_code, again.json()["error"]) == (400, "credential_request_denied"), again.text
    assert "already issued" in again.json()["error_description"] and "www-authenticate" not in again.headers
    assert request("pda1_mdoc").status_code == 200  # the token is still good for what it has not given
    spent = request("pda1_mdoc")  # everything it covers given: still a refusal of the request, not of the token
    assert (spent.status_code, spent.json()["error"]) == (400, "credential_request_denied")
    if scheme == "Bearer":
        told = issuer.http.post("/lv-vsaa/notification", json={"notification_id": first.json()["notification_id"],
                                                                 "event": "credential_accepted"},
                                headers={"Authorization": f"Bearer {token}"})
        assert told.status_code == 204, told.text


# --- SD-JWT VC JWT VC Issuer Metadata --------------------------------------------------------------------


def _verifies(jws: str, jwk: dict[str, Any]) -> bool:
    try:
        verify_jws(jws, public_key_from_jwk(jwk), algorithms=["ES256"])
    except IssuerSignatureError:
        return False
    return True


def test_sdjwtvc_jwt_vc_issuer_metadata_holds_the_key_that_verifies_an_issued_credential(issuer: Issuer) -> None:
    """Interop review 3 (standards.md §2.3 mechanism 1, §2.4): a verifier resolving the key by ``iss``
    finds the institution's signer key, with its ``kid`` and ``x5c``, and it verifies the credential."""
    response = issuer.http.get("/.well-known/jwt-vc-issuer/lv-vsaa")
    assert response.status_code == 200 and "max-age" in response.headers["cache-control"]
    metadata = response.json()
    assert set(metadata) == {"issuer", "jwks"} and metadata["issuer"] == f"{issuer.url}/lv-vsaa"
    keys = metadata["jwks"]["keys"]
    assert keys and all({"kid", "x5c", "x", "y"} <= set(k) and "d" not in k for k in keys)
    for jwk in keys:  # each key is its certificate's (RFC 7517 §4.7), and its kid the project's signer kid
        leaf = load_x5c(jwk["x5c"])[0]
        public = leaf.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        assert public_jwk(public) == {k: jwk[k] for k in ("kty", "crv", "x", "y")}
        assert jwk["kid"] == spki_kid(leaf)
    issued = issuer.credential(issuer.access_token())
    assert issued.status_code == 200, issued.text
    jws = issued.json()["credentials"][0]["credential"].split("~")[0]
    assert decode_jws(jws).payload["iss"] == metadata["issuer"]
    assert [k for k in keys if _verifies(jws, k)], "no key of the issuer metadata verifies the credential"
    assert not _verifies(jws, public_jwk(generate_key()))  # the check means something


def test_jwt_vc_issuer_metadata_publishes_each_signer_whose_certificate_has_not_ended(registry_pki: DemoPki) -> None:
    """A key rotated in beside the current one is published with it, also before its certificate
    begins (a verifier resolving by kid knows it before it signs: tests/test_signer_rotation.py); one
    whose certificate has ended is not."""
    _key, current = registry_pki.signers["LV:VSAA"]
    _key, rotated_in = registry_pki.signers["DE:DRV"]
    now = datetime.now(UTC)
    both = jwt_vc_issuer_metadata("https://issuer.example/lv-vsaa", [current, rotated_in], now)
    assert [k["kid"] for k in both["jwks"]["keys"]] == [spki_kid(current[0]), spki_kid(rotated_in[0])]
    after = current[0].not_valid_after_utc + timedelta(seconds=1)
    assert all(spki_kid(current[0]) != k["kid"] for k in
               jwt_vc_issuer_metadata("https://issuer.example/lv-vsaa", [current], after)["jwks"]["keys"])
    before = current[0].not_valid_before_utc - timedelta(seconds=1)
    assert [k["kid"] for k in jwt_vc_issuer_metadata("https://issuer.example/lv-vsaa", [current],
                                                      before)["jwks"]["keys"]] == [spki_kid(current[0])]


# --- OpenID4VCI §8.2, §9.1, §11.1: request bodies are application/json ------------------------------------


@pytest.mark.parametrize(("endpoint", "body", "error"), [
    ("credential", None, "invalid_credential_request"),
    ("deferred_credential", {"transaction_id": "x" * 43}, "invalid_credential_request"),
    ("notification", {"notification_id": "x" * 22, "event": "credential_accepted"}, "invalid_notification_request"),
])
def test_oid4vci_8_2_a_request_body_not_sent_as_application_json_is_the_endpoints_request_error(
        issuer: Issuer, endpoint: str, body: dict[str, Any] | None, error: str) -> None:
    """Interop review (lower severity): a JSON body labelled ``text/plain`` (or form-encoded, or
    nothing) was taken as the request; it is the endpoint's own request error, 400."""
    token = issuer.access_token()
    content = json.dumps(body or {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof()]}})
    for media_type in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
        headers = {"Authorization": f"Bearer {token}", **({"Content-Type": media_type} if media_type else {})}
        response = issuer.http.post(f"/lv-vsaa/{endpoint}", content=content, headers=headers)
        assert (response.status_code, response.json()["error"]) == (400, error), (media_type, response.text)
    if endpoint == "credential":  # a parameter of application/json is no other type
        taken = issuer.http.post("/lv-vsaa/credential", content=content, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "Application/JSON; charset=utf-8"})
        assert taken.status_code == 200, taken.text


@pytest.mark.parametrize("code", ["invalid_grant", "not_found"])
def test_the_void_offer_is_told_to_the_worker_in_their_language(code: str) -> None:
    """The offer made under a replaced offer key (404 at its link, invalid_grant for its code): the
    wallet says what to do whole in the worker's language, not the code's general words ("the code is
    wrong"?) with the English sentence in brackets."""
    from credentials import i18n
    from issuer.service import _VOID_OFFER
    from wallet import messages

    said = {lang: messages.explain(code, _VOID_OFFER, lang) for lang in i18n.LANGUAGES}
    assert all(said[lang] == messages.t("remote.offer_void", lang) for lang in i18n.LANGUAGES), said
    assert len(set(said.values())) == 5
