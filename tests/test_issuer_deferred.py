"""Deferred issuance under four-eyes approval, over real HTTP (OpenID4VCI 1.0 §8.3, §9; RFC 6749 §6).

An institution asking for a second clerk's approval lets the worker take the offer at the counter
at once; the wallet's credential request is then answered 202 with a ``transaction_id``, and the
credentials are signed only once a second, named clerk approved the case, when the wallet asks the
deferred credential endpoint. Approval may take hours, so the token of such a case comes with a
refresh token (rotated, reuse detected, bound to the grant's DPoP key and wallet). Each test is
named after the requirement it holds the issuer to, or the attack it refuses.

The issuer runs with its default wallet attestation policy against a real registry, as in
tests/test_issuer_protocol.py, whose client helpers these tests use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from test_issuer_protocol import PROVIDER, Issuer, _attested_proofs, _dpop, _server_nonce

from credentials import client_attestation, key_attestation, mdoc, openid4vci, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import IssuerTrustError, ProtocolError, SignerUnavailableError
from credentials.institutions import Role
from credentials.jose import b64url_decode, generate_key, jwk_thumbprint, public_jwk, sign_jws
from credentials.openid4vci import REFRESH_GRANT
from credentials.pki import DemoPki, load_demo_pki
from credentials.trust_list import (
    ACTIVE,
    CA,
    SUSPENDED,
    WITHDRAWN,
    ListedCertificate,
    ListedEntity,
    StatusPeriod,
    TrustList,
    active_entity_by_id,
)
from credentials.x509 import load_pem_certificates
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.stack import unnumbered
from esspass.testing import free_port, serve
from issuer.app import MIGRATIONS, build_service, create_app, hosted_institutions
from issuer.db import DeferredTransaction, stored_hash
from issuer.service import IssuerService, OfferSecrets
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.client import TrustListClient
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings, admin_token

APPROVER = "clerk:LV:VSAA/anna"
RECORDER = "LV:VSAA/clerk.1"  # a named clerk the issuer made for the pilot (issuer.settings.clerk_tokens)
PERSON = DEMO_PERSONS[0]
INTERVAL = 7


@dataclass
class Deferring:
    """The issuer on loopback (lv-vsaa asks for approval, lv-nvd does not) and its service object,
    through which the second clerk approves (issuer.service.IssuerService.approve_case)."""

    issuer: Issuer
    service: IssuerService

    def approve(self, case_id: str) -> None:
        self.service.approve_case(self.service.institution("lv-vsaa"), case_id, actor=APPROVER)

    def deferred(self, token: str, transaction_id: Any, *, scheme: str = "Bearer",
                 dpop: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"{scheme} {token}", **({"DPoP": dpop} if dpop is not None else {})}
        return self.issuer.http.post("/lv-vsaa/deferred_credential", json={"transaction_id": transaction_id},
                                     headers=headers)

    def refresh(self, refresh_token: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.issuer.http.post("/lv-vsaa/token", data={"grant_type": REFRESH_GRANT,
                                                             "refresh_token": refresh_token},
                                     headers=self.issuer.attestation_headers() if headers is None else headers)


@pytest.fixture(scope="module")
def deferring(registry_dir: Path) -> Iterator[Deferring]:
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}", approval=["LV:VSAA"],
                                  registry_url=registry.url, deferred_interval=INTERVAL)
        service = build_service(settings)
        with serve(create_app(settings, service=service), port=port) as handle:
            client = Issuer(handle, registry_dir, registry.url)
            yield Deferring(client, service)
            client.http.close()


def _granted(d: Deferring, *, config: str = "pda1") -> tuple[str, dict[str, Any]]:
    """(case id, the token response) for a new lv-vsaa case awaiting approval."""
    case_id, offer, tx = d.issuer.offer(entity=RECORDER)
    response = d.issuer.token(offer, tx)
    assert response.status_code == 200, response.text
    return case_id, response.json()


def _deferred_request(d: Deferring, token: str, keys: list[Any], config: str = "pda1") -> httpx.Response:
    nonce = d.issuer.nonce()
    return d.issuer.credential(token, [d.issuer.proof(k, nonce=nonce) for k in keys], config=config)


def _expire(d: Deferring, table: str, case_id: str) -> None:
    """The rows of ``table`` for the case end a second ago."""
    with d.service.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {table} SET expires_at = :past WHERE case_id = :case"),  # noqa: S608
                     {"past": datetime.now(UTC) - timedelta(seconds=1), "case": case_id})


def _defer(d: Deferring, keys: list[Any] | None = None, config: str = "pda1") -> tuple[str, dict[str, Any], str]:
    """(case id, token response, transaction_id) of a deferred request over ``keys``."""
    case_id, granted = _granted(d)
    response = _deferred_request(d, granted["access_token"], keys or [generate_key()], config)
    assert response.status_code == 202, response.text
    return case_id, granted, str(response.json()["transaction_id"])


# --- the credential endpoint defers (§8.3) --------------------------------------------------------------


def test_a_request_for_a_case_awaiting_approval_is_answered_202_with_a_transaction_id_and_interval(
        deferring: Deferring) -> None:
    case_id, granted = _granted(deferring)
    nonce = deferring.issuer.nonce()
    proof = deferring.issuer.proof(generate_key(), nonce=nonce)
    response = deferring.issuer.credential(granted["access_token"], [proof])
    assert response.status_code == 202, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"transaction_id", "interval"} and body["interval"] == INTERVAL
    assert len(body["transaction_id"]) >= 32
    case = deferring.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=deferring.issuer.clerk()).json()
    assert case["credential_records"] == []  # nothing signed, no status entry taken
    assert [e["action"] for e in case["events"]][-1] == "deferred"
    # Every check ran and spent what it spends: the c_nonce, and the token's turn for that configuration.
    again = deferring.issuer.credential(granted["access_token"],
                                        [deferring.issuer.proof(generate_key(), nonce=deferring.issuer.nonce())])
    assert again.status_code == 400 and again.json()["error"] == "credential_request_denied"
    replayed = deferring.issuer.credential(granted["access_token"], [proof], config="pda1_mdoc")
    assert replayed.json()["error"] == "invalid_nonce"


def test_a_bad_proof_for_a_case_awaiting_approval_is_refused_not_deferred(deferring: Deferring) -> None:
    _case_id, granted = _granted(deferring)
    proof = deferring.issuer.proof(generate_key(), nonce=deferring.issuer.nonce(), aud="https://elsewhere.example")
    response = deferring.issuer.credential(granted["access_token"], [proof])
    assert (response.status_code, response.json()["error"]) == (400, "invalid_proof")


def test_the_issuer_advertises_its_deferred_endpoint_and_the_refresh_grant(deferring: Deferring) -> None:
    url = deferring.issuer.url
    meta = deferring.issuer.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
    assert meta["deferred_credential_endpoint"] == f"{url}/lv-vsaa/deferred_credential"
    as_meta = deferring.issuer.http.get("/.well-known/oauth-authorization-server/lv-vsaa").json()
    assert REFRESH_GRANT in as_meta["grant_types_supported"]


# --- a 202 lost on its way: asked again with the same token and keys --------------------------------------


def _history(d: Deferring, case_id: str) -> list[str]:
    case = d.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=d.issuer.clerk()).json()
    return [e["action"] for e in case["events"]]


def test_a_deferral_lost_is_given_again_the_same_transaction_id_for_fresh_proofs_of_the_same_keys(
        deferring: Deferring) -> None:
    """A wallet whose 202 was lost (a timeout, a dropped connection) asks again with the same access
    token and fresh proofs (new c_nonces) of the same keys: it is given the same transaction_id, with
    no second transaction and nothing more in the case's history, and the deferred credential endpoint
    then answers it as if the first 202 had arrived: the credentials, bound to those keys, once approved."""
    keys = [generate_key(), generate_key()]
    case_id, granted = _granted(deferring)
    token = granted["access_token"]
    lost = deferring.issuer.credential(token, _attested_proofs(deferring.issuer, keys))
    assert lost.status_code == 202, lost.text
    history = _history(deferring, case_id)
    assert history.count("deferred") == 1 and history.count("keys_attested") == 1
    again = deferring.issuer.credential(token, _attested_proofs(deferring.issuer, keys[::-1]))
    assert again.status_code == 202, again.text
    assert again.json() == lost.json() == {"transaction_id": lost.json()["transaction_id"], "interval": INTERVAL}
    assert _deferrals(deferring.service, case_id) == [("pending", [PROVIDER])]
    assert _history(deferring, case_id) == history

    deferring.approve(case_id)
    response = deferring.deferred(token, again.json()["transaction_id"])
    assert response.status_code == 200, response.text
    anchors = [deferring.issuer.pki.cas["LV:VSAA"][1]]
    bound = {jwk_thumbprint(sd_jwt_vc.verify_vc(c["credential"], anchors=anchors, now=datetime.now(UTC),
                                                key_binding=None).holder_jwk or {})
             for c in response.json()["credentials"]}
    assert bound == {jwk_thumbprint(public_jwk(k)) for k in keys}


def test_a_deferral_asked_again_with_other_keys_is_refused_as_credentials_given_at_once_are(
        deferring: Deferring) -> None:
    """Other keys than those deferred (a stolen Bearer token's, more copies than the batch), or only
    some of them, would be a second set of credentials: credential_request_denied, the transaction
    left as it was for the wallet that holds its id."""
    keys = [generate_key(), generate_key()]
    case_id, granted, transaction_id = _defer(deferring, keys)
    for other in ([keys[0], generate_key()], [keys[0]], [*keys, generate_key()]):
        refused = _deferred_request(deferring, granted["access_token"], other)
        assert (refused.status_code, refused.json()["error"]) == (400, "credential_request_denied"), refused.text
        assert "already issued" in refused.json()["error_description"]
    assert [state for state, _providers in _deferrals(deferring.service, case_id)] == ["pending"]
    assert _history(deferring, case_id).count("deferred") == 1
    waiting = deferring.deferred(granted["access_token"], transaction_id)
    assert (waiting.status_code, waiting.json()["transaction_id"]) == (202, transaction_id)


def test_a_deferred_request_replayed_as_it_was_is_refused_for_its_spent_c_nonce(deferring: Deferring) -> None:
    """The same request sent again, its proofs and all, is not an ask again: each c_nonce is taken once
    (§7.2, §8.3.1.2), so a replayed proof is not given the transaction_id, even with its token and keys."""
    _case_id, granted = _granted(deferring)
    key = generate_key()
    proofs = [deferring.issuer.proof(key, nonce=deferring.issuer.nonce())]
    assert deferring.issuer.credential(granted["access_token"], proofs).status_code == 202
    replayed = deferring.issuer.credential(granted["access_token"], proofs)
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_nonce"), replayed.text
    assert "transaction_id" not in replayed.text


def test_a_deferral_whose_credentials_were_fetched_is_not_given_again(deferring: Deferring) -> None:
    """Its 202 arrived (the wallet fetched the credentials with its id, §9: then invalid): asking the
    credential endpoint again gets nothing, as for credentials given at once and told arrived."""
    key = generate_key()
    case_id, granted, transaction_id = _defer(deferring, [key])
    deferring.approve(case_id)
    assert deferring.deferred(granted["access_token"], transaction_id).status_code == 200
    again = _deferred_request(deferring, granted["access_token"], [key])
    assert (again.status_code, again.json()["error"]) == (400, "credential_request_denied"), again.text


def test_a_transaction_id_is_kept_only_as_its_hash_and_made_only_with_the_offer_key(deferring: Deferring) -> None:
    """Given again, the id is not read from the database (which keeps its hash), but made again from the
    offer key (OfferSecrets.transaction_id): a copy of the database cannot make it, nor another key."""
    case_id, granted, transaction_id = _defer(deferring)
    with deferring.service.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM issuer_deferred WHERE case_id = :case"), {"case": case_id}).one()
    assert transaction_id not in repr(tuple(row)) and stored_hash(transaction_id) in tuple(row)
    token_hash = stored_hash(granted["access_token"])
    assert deferring.service.offer_secrets.transaction_id(token_hash, "pda1") == transaction_id
    assert OfferSecrets(bytes(32)).transaction_id(token_hash, "pda1") != transaction_id
    assert deferring.service.offer_secrets.transaction_id(token_hash, "pda1_mdoc") != transaction_id


# --- the deferred credential endpoint (§9) ---------------------------------------------------------------


def test_polling_before_approval_is_answered_202_with_the_same_transaction_id(deferring: Deferring) -> None:
    _case_id, granted, transaction_id = _defer(deferring)
    for _ in range(2):
        response = deferring.deferred(granted["access_token"], transaction_id)
        assert response.status_code == 202, response.text
        assert response.json() == {"transaction_id": transaction_id, "interval": INTERVAL}


def test_after_approval_the_credentials_are_signed_then_bound_to_the_proof_keys_and_the_id_is_spent(
        deferring: Deferring) -> None:
    keys = [generate_key(), generate_key()]
    case_id, granted, transaction_id = _defer(deferring, keys)
    token = granted["access_token"]
    mdoc_key = generate_key()
    as_mdoc = _deferred_request(deferring, token, [mdoc_key], "pda1_mdoc")
    assert as_mdoc.status_code == 202
    time.sleep(1.1)  # so that iat shows the credentials were signed at approval, not at the request
    deferring.approve(case_id)
    approved_at = int(time.time())
    response = deferring.deferred(token, transaction_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["credentials"]) == 2 and body["notification_id"]
    anchors = [deferring.issuer.pki.cas["LV:VSAA"][1]]
    now = datetime.now(UTC)
    refs = []
    for item, key in zip(body["credentials"], keys, strict=True):
        verified = sd_jwt_vc.verify_vc(item["credential"], anchors=anchors, now=now, key_binding=None)
        assert verified.holder_jwk is not None and jwk_thumbprint(verified.holder_jwk) == jwk_thumbprint(
            public_jwk(key))
        assert verified.iat >= approved_at - 1
        assert verified.status is not None
        refs.append(verified.status)
    lst = status_list.verify_token(deferring.issuer.http.get(refs[0].uri.removeprefix(deferring.issuer.url)).text,
                                   uri=refs[0].uri, anchors=anchors, now=now)
    assert all(status_list.status_of(lst, r) == status_list.VALID for r in refs)

    mdoc_response = deferring.deferred(token, as_mdoc.json()["transaction_id"])
    assert mdoc_response.status_code == 200, mdoc_response.text
    issued = b64url_decode(mdoc_response.json()["credentials"][0]["credential"])
    verified_mdoc = mdoc.verify_issuer_signed(issued, anchors=anchors, now=now)
    device = verified_mdoc.device_key.public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    assert device == mdoc_key.public_key().public_bytes(serialization.Encoding.DER,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo)

    # §9: the transaction_id is spent once answered; §11: the credentials' notification is taken.
    spent = deferring.deferred(token, transaction_id)
    assert (spent.status_code, spent.json()["error"]) == (400, "invalid_transaction_id")
    notify = deferring.issuer.http.post("/lv-vsaa/notification", json={
        "notification_id": body["notification_id"], "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {token}"})
    assert notify.status_code == 204, notify.text
    case = deferring.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=deferring.issuer.clerk()).json()
    assert len(case["credential_records"]) == 3


@pytest.mark.parametrize("withdraw", ["refuse", "revoke"])
def test_a_refused_or_withdrawn_case_tells_the_wallet_credential_request_denied(
        deferring: Deferring, withdraw: str) -> None:
    case_id, granted, transaction_id = _defer(deferring)
    inst = deferring.service.institution("lv-vsaa")
    if withdraw == "refuse":
        deferring.service.refuse_case(inst, case_id, actor=APPROVER, reason="wrong employer")
    else:
        deferring.service.set_state(inst, case_id, "revoked", reason="test", actor=APPROVER)
    response = deferring.deferred(granted["access_token"], transaction_id)
    assert (response.status_code, response.json()["error"]) == (400, "credential_request_denied")


def test_a_case_suspended_meanwhile_keeps_the_wallet_waiting_until_it_is_reinstated(deferring: Deferring) -> None:
    """Suspension is not final: credential_request_denied (§9.3: stop asking) would make the wallet
    give up a document that the institution goes on to reinstate and approve."""
    case_id, granted, transaction_id = _defer(deferring)
    inst = deferring.service.institution("lv-vsaa")
    deferring.service.set_state(inst, case_id, "suspended", reason="documents to check", actor=APPROVER)
    deferring.approve(case_id)
    waiting = deferring.deferred(granted["access_token"], transaction_id)
    assert (waiting.status_code, waiting.json()["transaction_id"]) == (202, transaction_id)
    deferring.service.set_state(inst, case_id, "active", reason="", actor=APPROVER)
    assert deferring.deferred(granted["access_token"], transaction_id).status_code == 200


def test_a_transaction_of_another_grant_or_a_made_up_one_is_invalid_transaction_id(deferring: Deferring) -> None:
    _case_id, _granted_a, transaction_id = _defer(deferring)
    _other_case, granted_b = _granted(deferring)
    for token, tid in ((granted_b["access_token"], transaction_id), (_granted_a["access_token"], "made-up"),
                       (_granted_a["access_token"], "x" * 300)):
        response = deferring.deferred(token, tid)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_transaction_id"), response.text


@pytest.mark.parametrize("body", [{}, {"transaction_id": 5}, {"transaction_id": ""}, [], "text"])
def test_a_malformed_deferred_request_is_invalid_credential_request(deferring: Deferring, body: Any) -> None:
    _case_id, granted = _granted(deferring)
    response = deferring.issuer.http.post("/lv-vsaa/deferred_credential", json=body,
                                          headers={"Authorization": f"Bearer {granted['access_token']}"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_credential_request")


def test_a_deferred_request_needs_the_access_token(deferring: Deferring) -> None:
    _case_id, _granted_a, transaction_id = _defer(deferring)
    bare = deferring.issuer.http.post("/lv-vsaa/deferred_credential", json={"transaction_id": transaction_id})
    assert (bare.status_code, bare.json()["error"]) == (401, "invalid_token")
    wrong = deferring.deferred("not-a-token", transaction_id)
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_token")


def test_an_expired_transaction_is_invalid_transaction_id(deferring: Deferring) -> None:
    case_id, granted, transaction_id = _defer(deferring)
    _expire(deferring, "issuer_deferred", case_id)  # the transaction's lifetime (deferred_ttl) has passed
    deferring.approve(case_id)
    response = deferring.deferred(granted["access_token"], transaction_id)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_transaction_id")


def test_two_simultaneous_deferred_requests_get_one_set_of_credentials(deferring: Deferring) -> None:
    case_id, granted, transaction_id = _defer(deferring, [generate_key()])
    deferring.approve(case_id)
    start = threading.Barrier(4)
    answers: list[httpx.Response] = []

    def ask() -> None:
        with httpx.Client(base_url=deferring.issuer.url, timeout=20) as http:
            start.wait()
            answers.append(http.post("/lv-vsaa/deferred_credential", json={"transaction_id": transaction_id},
                                     headers={"Authorization": f"Bearer {granted['access_token']}"}))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200, 400, 400, 400], [a.text for a in answers]
    assert all(a.json()["error"] == "invalid_transaction_id" for a in answers if a.status_code == 400)
    case = deferring.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=deferring.issuer.clerk()).json()
    assert len(case["credential_records"]) == 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_simultaneous_deferred_requests_issue_once_on_either_database(database: str, tmp_path: Path,
                                                                       request: pytest.FixtureRequest) -> None:
    """The conditional update (pending to issued) holds on PostgreSQL's row locks and SQLite's write lock."""
    url = (f"sqlite:///{tmp_path / 'issuer.db'}" if database == "sqlite"
           else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    service = build_service(IssuerSettings(data_dir=tmp_path, database_url=url, public_url="http://127.0.0.1:1",
                                           wallet_attestation="off", dpop_nonce=False, approval=["LV:VSAA"]))
    try:
        inst = service.institution("lv-vsaa")
        case = service.create_case(inst, "pda1", unnumbered(PERSON.pda1), actor=f"clerk:{RECORDER}",
                                   holder=PERSON.holder)
        offer = service.create_offer(inst, case.id, actor=f"clerk:{RECORDER}")
        code = service.offer_json(inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT]["pre-authorized_code"]
        token = service.token(inst, {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code})["access_token"]
        key = generate_key()
        proof = sign_jws({"typ": openid4vci.PROOF_TYP, "jwk": public_jwk(key)},
                         {"aud": inst.issuer_url, "iat": int(time.time()),
                          "nonce": service.nonces.c_nonce(inst.issuer_url)}, key)
        deferred = service.credential(inst, f"Bearer {token}", {"credential_configuration_id": "pda1",
                                                                "proofs": {"jwt": [proof]}})
        service.approve_case(inst, case.id, actor=APPROVER)
        start = threading.Barrier(4)
        outcomes: list[str] = []

        def ask() -> None:
            start.wait()
            try:
                body = service.deferred_credential(inst, f"Bearer {token}",
                                                   {"transaction_id": deferred["transaction_id"]})
                outcomes.append(f"{len(body['credentials'])} credential")
            except ProtocolError as exc:
                outcomes.append(exc.error)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["1 credential", *["invalid_transaction_id"] * 3]
        assert len(service.get_case(inst, case.id)["credential_records"]) == 1
    finally:
        service.engine.dispose()


class _OutageKey(ec.EllipticCurvePrivateKey):
    """A document signer whose HSM does not answer while ``down`` (as credentials.pkcs11_key raises)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self.key, self.down = key, True

    def sign(self, data: Any, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        if self.down:
            raise SignerUnavailableError()
        return self.key.sign(data, signature_algorithm)

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.key.public_key()

    @property
    def curve(self) -> ec.EllipticCurve:
        return self.key.curve

    @property
    def key_size(self) -> int:
        return self.key.key_size

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        raise NotImplementedError

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        raise NotImplementedError

    def private_bytes(self, encoding: serialization.Encoding, format: serialization.PrivateFormat,
                      encryption_algorithm: serialization.KeySerializationEncryption) -> bytes:
        raise NotImplementedError

    def __copy__(self) -> _OutageKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _OutageKey:
        return self


def test_a_signing_failure_leaves_the_transaction_pending_and_takes_back_its_status_entries(
        deferring: Deferring) -> None:
    case_id, granted, transaction_id = _defer(deferring)
    deferring.approve(case_id)
    hosted = deferring.service.institutions["lv-vsaa"]
    outage = _OutageKey(hosted.key)
    deferring.service.institutions["lv-vsaa"] = replace(hosted, key=outage)
    try:
        failed = deferring.deferred(granted["access_token"], transaction_id)
        assert (failed.status_code, failed.json()["error"]) == (503, "temporarily_unavailable")
        case = deferring.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=deferring.issuer.clerk()).json()
        assert case["credential_records"] == []
        outage.down = False
        response = deferring.deferred(granted["access_token"], transaction_id)
        assert response.status_code == 200, response.text
    finally:
        deferring.service.institutions["lv-vsaa"] = hosted


# --- refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2, RFC 9449 §5) -------------------------------------------


def test_a_token_for_a_case_awaiting_approval_comes_with_a_refresh_token_that_rotates(deferring: Deferring) -> None:
    case_id, granted, transaction_id = _defer(deferring)
    assert granted["refresh_token"] and granted["token_type"] == "Bearer"
    first = deferring.refresh(granted["refresh_token"])
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    renewed = first.json()
    assert renewed["refresh_token"] != granted["refresh_token"] and renewed["token_type"] == "Bearer"
    assert renewed["access_token"] != granted["access_token"]
    # The new token is of the same grant: it polls the transaction; the one it replaced has ended.
    assert deferring.deferred(renewed["access_token"], transaction_id).status_code == 202
    ended = deferring.deferred(granted["access_token"], transaction_id)
    assert (ended.status_code, ended.json()["error"]) == (401, "invalid_token")
    # It carries what the grant covered: what was spent stays spent.
    again = _deferred_request(deferring, renewed["access_token"], [generate_key()])
    assert again.json()["error"] == "credential_request_denied"
    second = deferring.refresh(renewed["refresh_token"])
    assert second.status_code == 200, second.text
    deferring.approve(case_id)
    current = second.json()["access_token"]
    issued = deferring.deferred(current, transaction_id)
    assert issued.status_code == 200, issued.text
    # §11: the wallet tells what became of them with the grant's current token.
    notify = deferring.issuer.http.post("/lv-vsaa/notification", json={
        "notification_id": issued.json()["notification_id"], "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {current}"})
    assert notify.status_code == 204, notify.text


def test_a_rotated_out_refresh_token_presented_again_revokes_the_grant(deferring: Deferring) -> None:
    """RFC 9700 §4.14.2: whoever presents an old refresh token, the grant's live one is revoked too."""
    _case_id, granted, transaction_id = _defer(deferring)
    renewed = deferring.refresh(granted["refresh_token"]).json()
    replayed = deferring.refresh(granted["refresh_token"])
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_grant")
    revoked = deferring.refresh(renewed["refresh_token"])
    assert (revoked.status_code, revoked.json()["error"]) == (400, "invalid_grant")
    ended = deferring.deferred(renewed["access_token"], transaction_id)
    assert (ended.status_code, ended.json()["error"]) == (401, "invalid_token")


def test_an_unknown_refresh_token_is_invalid_grant(deferring: Deferring) -> None:
    for refresh_token in ("made-up", "x" * 200):
        response = deferring.refresh(refresh_token)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    missing = deferring.issuer.http.post("/lv-vsaa/token", data={"grant_type": REFRESH_GRANT},
                                         headers=deferring.issuer.attestation_headers())
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


def test_an_expired_refresh_token_is_invalid_grant(deferring: Deferring) -> None:
    case_id, granted, _transaction_id = _defer(deferring)
    _expire(deferring, "issuer_refresh_tokens", case_id)  # the grant's lifetime (deferred_ttl) has passed
    response = deferring.refresh(granted["refresh_token"])
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_no_refresh_token_for_a_case_that_awaits_no_approval(deferring: Deferring) -> None:
    """A long-lived credential only where it is needed: a Bearer token (not sender-constrained, FAPI 2.0
    §5.3.2.1) of a document signed at once gets none; only a DPoP-bound one renews copies
    (tests/test_copy_renewal.py)."""
    _case, offer, tx = deferring.issuer.offer(path="lv-nvd", entity="LV:NVD", config="ehic")
    response = deferring.issuer.token(offer, tx, path="lv-nvd")
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    case_id, granted = _granted(deferring)
    deferring.approve(case_id)  # approved before the wallet asked: no deferral
    signed = _deferred_request(deferring, granted["access_token"], [generate_key()])
    assert signed.status_code == 200, signed.text


def test_a_dpop_bound_grant_is_refreshed_only_with_a_proof_by_its_key(deferring: Deferring) -> None:
    issuer = deferring.issuer
    key, token_url, granted = _dpop_grant(deferring)
    assert granted["token_type"] == "DPoP" and granted["refresh_token"]
    refused = {
        "no proof": deferring.refresh(granted["refresh_token"]),
        "another key": deferring.refresh(granted["refresh_token"], {
            "DPoP": _dpop(generate_key(), token_url, nonce=_server_nonce(issuer)), **issuer.attestation_headers()}),
    }
    for name, response in refused.items():
        assert (response.status_code, response.json()["error"]) == (400, "invalid_dpop_proof"), name
    renewed = deferring.refresh(granted["refresh_token"], {
        "DPoP": _dpop(key, token_url, nonce=_server_nonce(issuer)), **issuer.attestation_headers()})
    assert renewed.status_code == 200, renewed.text  # the refused attempts did not spend it
    assert renewed.json()["token_type"] == "DPoP"
    # The new token is bound to the same key: a deferral, then a poll with a fresh proof by that key.
    access = renewed.json()["access_token"]
    body = {"credential_configuration_id": "pda1",
            "proofs": {"jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}}
    deferred = issuer.http.post("/lv-vsaa/credential", json=body, headers={
        "Authorization": f"DPoP {access}",
        "DPoP": _dpop(key, f"{issuer.url}/lv-vsaa/credential", token=access, nonce=_server_nonce(issuer))})
    assert deferred.status_code == 202, deferred.text
    url = f"{issuer.url}/lv-vsaa/deferred_credential"
    stolen = deferring.deferred(access, deferred.json()["transaction_id"], scheme="DPoP",
                                dpop=_dpop(generate_key(), url, token=access, nonce=_server_nonce(issuer)))
    assert (stolen.status_code, stolen.json()["error"]) == (401, "invalid_dpop_proof")
    poll = deferring.deferred(access, deferred.json()["transaction_id"], scheme="DPoP",
                              dpop=_dpop(key, url, token=access, nonce=_server_nonce(issuer)))
    assert poll.status_code == 202, poll.text


def test_a_rotated_out_refresh_token_without_the_grants_dpop_key_does_not_revoke_the_grant(
        deferring: Deferring) -> None:
    """Reuse revokes the grant (RFC 9700 §4.14.2), but only when its presenter proves the grant's DPoP
    key: one who found an old refresh token alone cannot end the wallet's grant."""
    issuer = deferring.issuer
    key, token_url, granted = _dpop_grant(deferring)

    def by_the_wallet(refresh_token: str) -> httpx.Response:
        return _refresh_with(deferring, key, token_url, refresh_token)

    renewed = by_the_wallet(granted["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    for proof in (None, _dpop(generate_key(), token_url, nonce=_server_nonce(issuer))):
        thief = deferring.refresh(granted["refresh_token"], {**({"DPoP": proof} if proof else {}),
                                                             **issuer.attestation_headers()})
        assert (thief.status_code, thief.json()["error"]) == (400, "invalid_dpop_proof")
    assert by_the_wallet(renewed.json()["refresh_token"]).status_code == 200


def test_a_refresh_needs_the_attestation_of_the_wallet_the_grant_went_to(deferring: Deferring) -> None:
    issuer = deferring.issuer
    _case_id, granted, _transaction_id = _defer(deferring)
    unattested = deferring.refresh(granted["refresh_token"], {})
    assert (unattested.status_code, unattested.json()["error"]) == (401, "invalid_client")
    instance = generate_key()
    key, chain = issuer.pki.signers[PROVIDER]
    now = int(time.time())
    other = client_attestation.attest(key, chain, client_id="another-wallet", instance_key=instance.public_key(),
                                      iat=now - 5, lifetime=600)
    pop = client_attestation.proof_of_possession(instance, audience=f"{issuer.url}/lv-vsaa", iat=now)
    another = deferring.refresh(granted["refresh_token"], {client_attestation.ATTESTATION_HEADER: other,
                                                           client_attestation.POP_HEADER: pop})
    assert (another.status_code, another.json()["error"]) == (400, "invalid_grant")
    assert deferring.refresh(granted["refresh_token"]).status_code == 200  # still the grant's


def test_a_grant_of_a_refused_case_is_not_refreshed(deferring: Deferring) -> None:
    case_id, granted, _transaction_id = _defer(deferring)
    deferring.service.refuse_case(deferring.service.institution("lv-vsaa"), case_id, actor=APPROVER,
                                  reason="not posted after all")
    response = deferring.refresh(granted["refresh_token"])
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


# --- the pure protocol parts (credentials.openid4vci) ------------------------------------------------------


def test_the_deferred_request_parser_ignores_unknown_members_and_refuses_encryption() -> None:
    parsed = openid4vci.parse_deferred_request({"transaction_id": "8xLOxBtZp8", "something": 1})
    assert parsed.transaction_id == "8xLOxBtZp8"
    with pytest.raises(ProtocolError) as refused:
        openid4vci.parse_deferred_request({"transaction_id": "8xLOxBtZp8", "credential_response_encryption": {}})
    assert refused.value.error == "invalid_encryption_parameters"
    assert openid4vci.deferred_response("8xLOxBtZp8", 3600) == {"transaction_id": "8xLOxBtZp8", "interval": 3600}


def test_the_refresh_grant_is_parsed_without_authorization_details() -> None:
    parsed = openid4vci.parse_token_request({"grant_type": REFRESH_GRANT, "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA",
                                             "authorization_details": "not even JSON"})
    assert (parsed.grant_type, parsed.code, parsed.configuration_ids) == (REFRESH_GRANT, "tGzv3JOkF0XG5Qx2TlKWIA",
                                                                         None)
    for form in ({"grant_type": REFRESH_GRANT}, {"grant_type": REFRESH_GRANT, "refresh_token": "x" * 300}):
        with pytest.raises(ProtocolError) as refused:
            openid4vci.parse_token_request(form)
        assert refused.value.error == "invalid_request"


# --- migration 0012 ------------------------------------------------------------------------------------------


def test_a_database_that_ran_0012_gets_the_providers_of_0013(tmp_path: Path) -> None:
    """A pilot migrated to 0012 before the providers were kept gets their columns from 0013 (a
    migration already run is never changed), and its deferrals, with none recorded, still sign."""
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS, revision="0012")
    assert "provider_id" not in {c["name"] for c in sa.inspect(engine).get_columns("issuer_tokens")}
    upgrade(engine, MIGRATIONS)
    inspector = sa.inspect(engine)
    assert "provider_id" in {c["name"] for c in inspector.get_columns("issuer_tokens")}
    assert "providers" in {c["name"] for c in inspector.get_columns("issuer_deferred")}
    engine.dispose()


def test_migration_0012_adds_the_deferred_tables_and_the_grant_and_takes_them_away(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS, revision="0011")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO issuer_cases (id, entity_id, configuration_id, claims, label, state, "
                             "created_at, created_by) VALUES ('c1', 'LV:VSAA', 'pda1', '{}', 'A1', 'active', "
                             "'2026-01-01 10:00:00', 'clerk')"))
        conn.execute(sa.text("INSERT INTO issuer_tokens (token_hash, case_id, expires_at, used, identifiers) "
                             "VALUES ('t1', 'c1', '2026-01-01 10:10:00', 0, 0)"))
    upgrade(engine, MIGRATIONS)
    inspector = sa.inspect(engine)
    assert {"issuer_deferred", "issuer_refresh_tokens"} <= set(inspector.get_table_names())
    # Who vouched (HAIP §9.2): the token's attesting wallet provider, and each deferral's providers.
    assert {"grant_id", "provider_id"} <= {c["name"] for c in inspector.get_columns("issuer_tokens")}
    assert "providers" in {c["name"] for c in inspector.get_columns("issuer_deferred")}  # 0013
    with engine.connect() as conn:  # a token recorded before keeps working: no grant id, its own grant
        row = conn.execute(sa.text("SELECT grant_id, provider_id FROM issuer_tokens WHERE token_hash = 't1'")).one()
        assert tuple(row) == (None, None)  # nor a known provider (minutes old at most: tokens end soon)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    inspector = sa.inspect(engine)
    assert not {"issuer_deferred", "issuer_refresh_tokens"} & set(inspector.get_table_names())
    assert not {"grant_id", "provider_id"} & {c["name"] for c in inspector.get_columns("issuer_tokens")}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM issuer_tokens")).scalar() == 1
    engine.dispose()


def _rows(d: Deferring, table: str, case_id: str) -> int:
    with d.service.engine.begin() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE case_id = :case"),  # noqa: S608
                                {"case": case_id}).scalar_one())


def test_what_can_no_longer_be_used_is_purged_and_a_live_grant_keeps_what_it_refreshes_from(
        deferring: Deferring) -> None:
    """Access tokens, refresh tokens and deferred transactions past their end are deleted (the issuer
    does it daily), so the tables do not grow with every wallet that ever asked. An access token
    that has ended but whose grant's refresh token lives stays: the next refresh reads what it carried."""
    gone, _, _ = _defer(deferring)
    live, live_granted, live_tx = _defer(deferring)
    past = datetime.now(UTC) - timedelta(seconds=1)
    with deferring.service.engine.begin() as conn:
        for table in ("issuer_deferred", "issuer_refresh_tokens"):
            conn.execute(sa.text(f"UPDATE {table} SET expires_at = :past WHERE case_id = :case"),  # noqa: S608
                         {"past": past, "case": gone})
        conn.execute(sa.text("UPDATE issuer_tokens SET expires_at = :past WHERE case_id IN (:gone, :live)"),
                     {"past": past, "gone": gone, "live": live})
    assert deferring.service.purge_expired() >= 3
    assert [_rows(deferring, t, gone) for t in ("issuer_deferred", "issuer_refresh_tokens", "issuer_tokens")] \
        == [0, 0, 0]
    renewed = deferring.refresh(live_granted["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert deferring.deferred(renewed.json()["access_token"], live_tx).status_code == 202


# --- the wallet providers that vouched, judged again when signing (HAIP §9.2) ---------------------------------


class _Providers:
    """The issuer's wallet providers list, asked of the registry at every use (the issuer's own client
    would hold it for up to the registry's max-age, 5 minutes), or out of reach while ``down``: the
    registry unreachable and no list young enough held (the TrustListClient then fails closed so)."""

    def __init__(self, client: TrustListClient) -> None:
        self.client, self.down = client, False

    def __call__(self, now: datetime) -> TrustList:
        if self.down:
            raise IssuerTrustError("the trust registry cannot be reached and no wallet providers list is held")
        return self.client.refresh("wallet_providers", now)


@dataclass
class Vouched(Deferring):
    """A registry and an issuer of one test's own: the test changes the wallet provider's status."""

    registry_url: str
    admin: str
    providers: _Providers

    def provider(self, action: str) -> None:
        """``suspend``, ``withdraw`` or ``reinstate`` the wallet provider in the registry (its admin API)."""
        response = httpx.post(f"{self.registry_url}/admin/entities/{PROVIDER}/{action}",
                              json={"reason": "attestation key under investigation"},
                              headers={"Authorization": f"Bearer {self.admin}"}, timeout=20)
        assert response.status_code == 200, response.text


@pytest.fixture
def vouched(tmp_path: Path) -> Iterator[Vouched]:
    seed_data_dir(tmp_path)
    registry_settings = RegistrySettings(data_dir=tmp_path)
    port = free_port()
    with serve(registry_app(registry_settings)) as registry, httpx.Client(timeout=20) as http:
        settings = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}", approval=["LV:VSAA"],
                                  registry_url=registry.url, deferred_interval=INTERVAL)
        service = build_service(settings)
        root = load_pem_certificates(settings.root_path().read_bytes())[0]
        providers = _Providers(TrustListClient(registry.url, registry_root=root, http=http))
        service.attestations.wallet_providers = providers
        with serve(create_app(settings, service=service), port=port) as handle:
            client = Issuer(handle, tmp_path, registry.url)
            try:
                yield Vouched(client, service, registry.url, admin_token(registry_settings), providers)
            finally:
                client.http.close()
                service.engine.dispose()


def _attested_deferral(d: Deferring, keys: list[Any]) -> tuple[str, str, str]:
    """(case id, access token, transaction_id) of a deferral by an attested wallet (client attestation
    at the token endpoint) with attested keys (a key attestation in each proof), both by PROVIDER."""
    case_id, granted = _granted(d)
    response = d.issuer.credential(granted["access_token"], _attested_proofs(d.issuer, keys))
    assert response.status_code == 202, response.text
    return case_id, granted["access_token"], str(response.json()["transaction_id"])


def _deferrals(service: IssuerService, case_id: str) -> list[tuple[str, list[str]]]:
    """(state, providers) of each deferred transaction of the case."""
    with service.sessions() as s:
        rows = s.scalars(sa.select(DeferredTransaction).where(DeferredTransaction.case_id == case_id)).all()
        return [(row.state, list(row.providers or [])) for row in rows]


def _records(d: Deferring, case_id: str) -> list[Any]:
    case = d.issuer.http.get(f"/lv-vsaa/api/cases/{case_id}", headers=d.issuer.clerk())
    return list(case.json()["credential_records"])


@pytest.mark.parametrize("action", ["suspend", "withdraw"])
def test_a_wallet_provider_suspended_or_withdrawn_during_the_deferral_gets_its_wallet_nothing(
        vouched: Vouched, action: str) -> None:
    """HAIP §9.2, ARF: only wallets whose provider is trusted get documents, and trusted when the
    documents are signed, which a deferral puts weeks after the attestations were checked. The
    refusal is final (§9.3: the wallet stops asking): a new offer, with fresh attestations, is the way back."""
    case_id, token, transaction_id = _attested_deferral(vouched, [generate_key(), generate_key()])
    assert _deferrals(vouched.service, case_id) == [("pending", [PROVIDER])]
    vouched.provider(action)
    waiting = vouched.deferred(token, transaction_id)  # not signable yet: the wallet waits as before
    assert waiting.status_code == 202, waiting.text
    vouched.approve(case_id)
    denied = vouched.deferred(token, transaction_id)
    assert (denied.status_code, denied.json()["error"]) == (400, "credential_request_denied"), denied.text
    assert denied.json()["error_description"] == "the wallet's provider is no longer trusted"
    assert _records(vouched, case_id) == []  # nothing signed, no status list entry taken
    assert _deferrals(vouched.service, case_id) == [("denied", [PROVIDER])]
    inst = vouched.service.institution("lv-vsaa")
    told = vouched.service.get_case(inst, case_id)["events"][-1]  # the clerk sees why, and what to do
    assert (told["action"], told["actor"]) == ("deferred_denied", f"provider:{PROVIDER}")
    assert "make a new offer" in told["reason"]
    if action == "suspend":
        vouched.provider("reinstate")
    again = vouched.deferred(token, transaction_id)  # told again, whatever the provider's status now
    assert (again.status_code, again.json()["error"]) == (400, "credential_request_denied")
    assert _records(vouched, case_id) == []


def test_a_wallet_provider_still_active_at_approval_gets_its_wallet_the_credentials(vouched: Vouched) -> None:
    keys = [generate_key(), generate_key()]
    case_id, token, transaction_id = _attested_deferral(vouched, keys)
    vouched.approve(case_id)
    response = vouched.deferred(token, transaction_id)
    assert response.status_code == 200, response.text
    assert len(response.json()["credentials"]) == 2
    assert len(_records(vouched, case_id)) == 2
    assert _deferrals(vouched.service, case_id) == [("issued", [PROVIDER])]


def test_without_the_providers_list_at_signing_the_wallet_retries_and_the_transaction_stays_pending(
        vouched: Vouched) -> None:
    """Fail closed, not final: 503 temporarily_unavailable (the wallet asks again), nothing taken."""
    case_id, token, transaction_id = _attested_deferral(vouched, [generate_key()])
    vouched.providers.down = True
    waiting = vouched.deferred(token, transaction_id)  # awaiting approval: no list is needed to say so
    assert waiting.status_code == 202, waiting.text
    vouched.approve(case_id)
    unavailable = vouched.deferred(token, transaction_id)
    assert (unavailable.status_code, unavailable.json()["error"]) == (503, "temporarily_unavailable")
    assert _records(vouched, case_id) == []
    assert _deferrals(vouched.service, case_id) == [("pending", [PROVIDER])]
    vouched.providers.down = False
    response = vouched.deferred(token, transaction_id)
    assert response.status_code == 200, response.text
    assert len(_records(vouched, case_id)) == 1


class _Listed:
    """A wallet providers list whose provider's status the test sets (``suspended_at``), or none (``down``)."""

    def __init__(self, pki: DemoPki) -> None:
        ca = pki.cas[PROVIDER][1]
        self.certificate = ListedCertificate(ca.public_bytes(serialization.Encoding.DER), CA,
                                             ca.not_valid_before_utc, ca.not_valid_after_utc)
        self.suspended_at: datetime | None = None
        self.down = False
        self.asked = 0

    def __call__(self, now: datetime) -> TrustList:
        self.asked += 1
        if self.down:
            raise IssuerTrustError("no wallet providers list")
        periods = [StatusPeriod(ACTIVE, now - timedelta(days=30))]
        if self.suspended_at is not None:
            periods.append(StatusPeriod(SUSPENDED, self.suspended_at, "investigation"))
        entity = ListedEntity(PROVIDER, "LV", "x", "ESSPASS reference wallet provider",
                              frozenset({"wallet_provider"}), (self.certificate,), tuple(periods))
        return TrustList("wallet_providers", 1, now, now + timedelta(days=1), (entity,))


def test_a_key_attestations_provider_is_judged_again_and_a_request_none_vouched_for_is_not(tmp_path: Path) -> None:
    """With no client attestation asked (``wallet_attestation = off``), the provider that attested
    the keys is the one that vouched; a request with no attestation at all records no provider and
    is signed whatever the list says, without asking for it."""
    settings = IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1", approval=["LV:VSAA"])
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    institutions = hosted_institutions(settings)
    listed = _Listed(load_demo_pki(settings.pki_path()))
    service = IssuerService(engine, institutions, client_attestation="off", key_attestation="optional",
                            wallet_providers=listed)
    inst = service.institution("lv-vsaa")
    key, chain = load_demo_pki(settings.pki_path()).signers[PROVIDER]

    def defer(attested: bool) -> tuple[str, str, str]:
        case = service.create_case(inst, "pda1", unnumbered(PERSON.pda1), actor=f"clerk:{RECORDER}",
                                   holder=PERSON.holder)
        offer = service.create_offer(inst, case.id, actor=f"clerk:{RECORDER}")
        code = service.offer_json(inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT]["pre-authorized_code"]
        token = service.token(inst, {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code})["access_token"]
        holder, nonce = generate_key(), service.nonces.c_nonce(inst.issuer_url)
        header: dict[str, Any] = {"typ": openid4vci.PROOF_TYP, "jwk": public_jwk(holder)}
        if attested:
            header["key_attestation"] = key_attestation.attest(
                key, chain, keys=[holder.public_key()], iat=int(time.time()), lifetime=300,
                key_storage=["iso_18045_basic"], user_authentication=["iso_18045_basic"], nonce=nonce)
        proof = sign_jws(header, {"aud": inst.issuer_url, "iat": int(time.time()), "nonce": nonce}, holder)
        deferred = service.credential(inst, f"Bearer {token}", {"credential_configuration_id": "pda1",
                                                                "proofs": {"jwt": [proof]}})
        service.approve_case(inst, case.id, actor=APPROVER)
        return case.id, token, str(deferred["transaction_id"])

    try:
        attested_case, attested_token, attested_tx = defer(attested=True)
        plain_case, plain_token, plain_tx = defer(attested=False)
        assert _deferrals(service, attested_case) == [("pending", [PROVIDER])]
        assert _deferrals(service, plain_case) == [("pending", [])]
        listed.suspended_at = datetime.now(UTC) - timedelta(seconds=1)
        with pytest.raises(ProtocolError) as refused:
            service.deferred_credential(inst, f"Bearer {attested_token}", {"transaction_id": attested_tx})
        assert (refused.value.error, refused.value.http_status) == ("credential_request_denied", 400)
        assert service.get_case(inst, attested_case)["credential_records"] == []
        listed.down, asked = True, listed.asked
        signed = service.deferred_credential(inst, f"Bearer {plain_token}", {"transaction_id": plain_tx})
        assert len(signed["credentials"]) == 1 and listed.asked == asked
        # The operator turns attestations off meanwhile: no provider is judged any more, and the
        # deferral recorded with one is signed (never a 500 for want of a list no longer configured).
        listed.down, listed.suspended_at = False, None
        _second_case, second_token, second_tx = defer(attested=True)
        unjudged = IssuerService(engine, institutions, client_attestation="off", key_attestation="off")
        signed = unjudged.deferred_credential(inst, f"Bearer {second_token}", {"transaction_id": second_tx})
        assert len(signed["credentials"]) == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(("periods", "roles", "error"), [
    ([(ACTIVE, -30)], {"wallet_provider"}, None),
    ([(ACTIVE, -30), (SUSPENDED, -1)], {"wallet_provider"}, "LV:ESSPASS-WALLET is suspended"),
    ([(ACTIVE, -30), (SUSPENDED, -2), (ACTIVE, -1)], {"wallet_provider"}, None),  # reinstated
    ([(ACTIVE, -30), (WITHDRAWN, -1)], {"wallet_provider"}, "LV:ESSPASS-WALLET is withdrawn"),
    ([(ACTIVE, -30), (SUSPENDED, 1)], {"wallet_provider"}, None),  # a suspension from tomorrow: not yet
    ([(ACTIVE, 1)], {"wallet_provider"}, "LV:ESSPASS-WALLET is withdrawn"),  # listed from tomorrow only
    ([(ACTIVE, -30)], {"verifier"}, "LV:ESSPASS-WALLET does not hold the wallet_provider role"),
    (None, {"wallet_provider"}, "LV:ESSPASS-WALLET is not on the wallet providers list"),
])
def test_an_entity_is_judged_by_its_id_its_role_and_its_status_at_a_time(
        periods: list[tuple[str, int]] | None, roles: set[str], error: str | None) -> None:
    at = datetime(2026, 5, 4, 12, tzinfo=UTC)
    entities = () if periods is None else (ListedEntity(
        PROVIDER, "LV", "x", "x", frozenset(roles), (),
        tuple(StatusPeriod(status, at + timedelta(days=days)) for status, days in periods)),)
    tl = TrustList("wallet_providers", 1, at, at + timedelta(days=1), entities)
    if error is None:
        assert active_entity_by_id(tl, PROVIDER, Role.WALLET_PROVIDER, at=at).id == PROVIDER
    else:
        with pytest.raises(IssuerTrustError) as refused:
            active_entity_by_id(tl, PROVIDER, Role.WALLET_PROVIDER, at=at)
        assert refused.value.message == error


def _dpop_grant(deferring: Deferring) -> tuple[Any, str, dict[str, Any]]:
    """(the wallet's DPoP key, the token URL, the token response) of a DPoP-bound grant for an awaiting case."""
    issuer, key = deferring.issuer, generate_key()
    _case_id, offer, tx = issuer.offer(entity=RECORDER)
    token_url = f"{issuer.url}/lv-vsaa/token"
    form = {"grant_type": openid4vci.PRE_AUTH_GRANT, "tx_code": tx,
            "pre-authorized_code": offer["grants"][openid4vci.PRE_AUTH_GRANT]["pre-authorized_code"]}
    granted = issuer.http.post("/lv-vsaa/token", data=form, headers={
        "DPoP": _dpop(key, token_url, nonce=_server_nonce(issuer)), **issuer.attestation_headers()}).json()
    return key, token_url, granted


def _refresh_with(deferring: Deferring, key: Any, token_url: str, refresh_token: str) -> httpx.Response:
    return deferring.refresh(refresh_token, {"DPoP": _dpop(key, token_url, nonce=_server_nonce(deferring.issuer)),
                                             **deferring.issuer.attestation_headers()})


def test_a_refresh_retried_after_its_answer_was_lost_is_answered_again_within_minutes_and_is_reuse_hours_later(
        deferring: Deferring) -> None:
    """A phone that loses the answer to a refresh asks again with the refresh token it holds. For a
    DPoP-bound grant that retry, by the grant's key, within the retry window (issuer.service.RETRY_WINDOW)
    while the token the lost answer carried was never used, is answered with a new pair. Hours later the
    same spent token is what a copy of the phone's store would present: reuse, and the grant is revoked
    (RFC 9700 §4.14.2; the rest of the rule: tests/test_refresh_grants.py)."""
    key, token_url, granted = _dpop_grant(deferring)
    lost = _refresh_with(deferring, key, token_url, granted["refresh_token"])
    assert lost.status_code == 200, lost.text
    retried = _refresh_with(deferring, key, token_url, granted["refresh_token"])
    assert retried.status_code == 200, retried.text
    with deferring.service.engine.begin() as conn:  # hours later
        conn.execute(sa.text("UPDATE issuer_refresh_tokens SET used_at = :then WHERE token_hash = :hash"),
                     {"then": datetime.now(UTC) - timedelta(hours=5), "hash": stored_hash(granted["refresh_token"])})
    late = _refresh_with(deferring, key, token_url, granted["refresh_token"])
    assert (late.status_code, late.json()["error"]) == (400, "invalid_grant")
    revoked = _refresh_with(deferring, key, token_url, retried.json()["refresh_token"])
    assert (revoked.status_code, revoked.json()["error"]) == (400, "invalid_grant")  # the whole grant ended


def test_a_rotated_out_refresh_token_is_still_a_reuse_once_the_token_that_replaced_it_was_used(
        deferring: Deferring) -> None:
    key, token_url, granted = _dpop_grant(deferring)
    first = _refresh_with(deferring, key, token_url, granted["refresh_token"]).json()
    assert _refresh_with(deferring, key, token_url, first["refresh_token"]).status_code == 200  # the answer came
    reused = _refresh_with(deferring, key, token_url, granted["refresh_token"])
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert "revoked" in reused.json()["error_description"]


def test_a_bearer_grants_refresh_retried_is_a_reuse(deferring: Deferring) -> None:
    """Not sender-constrained: whoever holds an old Bearer refresh token could be the one retrying."""
    _case_id, granted, _tx = _defer(deferring)
    assert deferring.refresh(granted["refresh_token"]).status_code == 200
    again = deferring.refresh(granted["refresh_token"])
    assert "revoked" in again.json()["error_description"]
