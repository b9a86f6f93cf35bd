"""OpenID4VCI 1.0 (final) and HAIP 1.0 conformance of both ends of the issuance, over real HTTP.

Each test is named after the requirement it holds the issuer (``issuer/``, ``credentials/openid4vci``)
or the reference wallet's client (``wallet/receive``) to. The issuer and the registry run on
loopback (:func:`esspass.testing.serve`); where the wallet must meet a refusal, the real issuer
refuses: a c_nonce is spent through the issuer itself before the wallet uses it. The one server
that is not ours is the hostile issuer of the metadata test, which serves what no issuer of ours would.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from credentials import key_attestation, openid4vci
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import MalformedError
from credentials.institutions import Entity, Role
from credentials.jose import b64url_decode, b64url_encode, generate_key, jwk_thumbprint, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.pki import load_demo_pki
from esspass import fetch
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import build_service, create_app
from issuer.service import Institution
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings
from wallet import http as wallet_http
from wallet import receive
from wallet.errors import TransportError
from wallet.receive import obtain_credentials, resolve_offer

PERSON = DEMO_PERSONS[0]
#: What an error_description may hold (RFC 6749 §5.2, OpenID4VCI §8.3.1.2).
DESCRIPTION_CHARS = set(map(chr, range(0x20, 0x7F))) - {'"', "\\"}


@dataclass
class Issuer:
    """The issuer on loopback with an anonymous wallet's view of it (wallet attestation off)."""

    url: str
    http: httpx.Client
    tokens: dict[str, str]
    nonces_spent: list[str] = field(default_factory=list)
    #: The case of the last offer made (:meth:`offer`), for its history.
    last_case: str = ""

    def clerk(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['LV:VSAA']}"}

    def offer(self) -> tuple[dict[str, Any], str, str]:
        """(the credential offer as fetched, its tx_code, the offer link the QR code shows)."""
        case = self.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1",
                                                          "claims": unnumbered(PERSON.pda1),
                                                          "holder": PERSON.holder},
                              headers=self.clerk())
        assert case.status_code == 201, case.text
        self.last_case = case.json()["id"]
        created = self.http.post(f"/lv-vsaa/api/cases/{self.last_case}/offer", headers=self.clerk()).json()
        uri = parse_qs(urlsplit(created["link"]).query)["credential_offer_uri"][0]
        return self.http.get(uri).json(), str(created["tx_code"]), str(created["link"])

    def token_form(self, **extra: str) -> dict[str, str]:
        offer, tx, _link = self.offer()
        return {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT][
            "pre-authorized_code"], "tx_code": tx, **extra}

    def token(self, **extra: str) -> str:
        response = self.http.post("/lv-vsaa/token", data=self.token_form(**extra))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def nonce(self) -> str:
        return str(self.http.post("/lv-vsaa/nonce").json()["c_nonce"])

    def proof(self, key: Any, **claims: Any) -> str:
        body = {"aud": f"{self.url}/lv-vsaa", "iat": int(time.time()), **claims}
        return sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(key)}, body, key)

    def credential(self, token: str, body: dict[str, Any], *, scheme: str = "Bearer") -> httpx.Response:
        return self.http.post("/lv-vsaa/credential", json=body, headers={"Authorization": f"{scheme} {token}"})

    def spend(self, nonce: str) -> None:
        """Use ``nonce`` in a credential request of another offer, through the issuer, which then
        no longer takes it (a c_nonce is accepted once)."""
        body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [self.proof(generate_key(), nonce=nonce)]}}
        response = self.credential(self.token(), body)
        assert response.status_code == 200, response.text
        self.nonces_spent.append(nonce)


@pytest.fixture(scope="module")
def issuer(registry_dir: Path) -> Iterator[Issuer]:
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}",
                                  registry_url=registry.url, wallet_attestation="off")
        with serve(create_app(settings), port=port) as handle, httpx.Client(base_url=handle.url, timeout=20) as http:
            tokens = json.loads((registry_dir / "issuer" / "clerk-tokens.json").read_text())
            yield Issuer(handle.url, http, tokens)


# --- the wallet: §8.3.1.2 invalid_nonce -> a fresh c_nonce and new proofs, once ------------------------


def _wallet_client(on_response: Callable[[httpx.Response], None]) -> httpx.Client:
    """The reference wallet's own HTTP client, watching what the issuer answers."""
    client = wallet_http.make_client(verify=True, timeout=20)
    client.event_hooks["response"] = [on_response]
    return client


def _spending(issuer: Issuer, *, times: int, seen: list[tuple[str, int, str]]) -> Callable[[httpx.Response], None]:
    """A response hook: the first ``times`` c_nonces the wallet receives are spent through the issuer
    before the wallet can use them; every answer of the nonce and credential endpoints is noted."""
    def hook(response: httpx.Response) -> None:
        path = response.request.url.path
        if path.endswith(("/nonce", "/credential")):
            response.read()
            body = response.json()
            seen.append((path.rsplit("/", 1)[1], response.status_code, str(body.get("c_nonce") or body.get("error"))))
            if path.endswith("/nonce") and len(issuer.nonces_spent) < times:
                issuer.spend(body["c_nonce"])
    return hook


def test_wallet_retries_with_a_fresh_c_nonce_and_new_proofs_on_invalid_nonce(issuer: Issuer) -> None:
    """§8.3.1.2: "The wallet should retrieve a new c_nonce value" -- and then it gets its documents."""
    issuer.nonces_spent.clear()
    _offer, tx, link = issuer.offer()
    seen: list[tuple[str, int, str]] = []
    with _wallet_client(_spending(issuer, times=1, seen=seen)) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=2, now=datetime.now(UTC))
    assert [b.configuration_id for b in batches] == ["pda1", "pda1_mdoc"]
    assert all(len(b.credentials) == 2 for b in batches)
    first_nonce = issuer.nonces_spent[0]
    # The spent nonce was refused by the issuer, a new one fetched, and the request sent again.
    assert seen[:4] == [("nonce", 200, first_nonce), ("credential", 400, "invalid_nonce"),
                        ("nonce", 200, seen[2][2]), ("credential", 200, "None")]
    assert seen[2][2] != first_nonce


def test_wallet_retries_invalid_nonce_only_once(issuer: Issuer) -> None:
    """A second invalid_nonce is the answer: no loop against an issuer that never takes a nonce."""
    issuer.nonces_spent.clear()
    _offer, tx, link = issuer.offer()
    seen: list[tuple[str, int, str]] = []
    with _wallet_client(_spending(issuer, times=2, seen=seen)) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        failures: list[Any] = []
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=1, now=datetime.now(UTC),
                                     failures=failures)
    assert [b.configuration_id for b in batches] == ["pda1_mdoc"]  # its nonce was not spent
    assert [f.error for f in failures] == ["invalid_nonce"]
    assert [s[:2] for s in seen[:4]] == [("nonce", 200), ("credential", 400), ("nonce", 200), ("credential", 400)]


# --- a credential answer lost on its way: asked again with the same token and keys ----------------------


def _signed(response: httpx.Response) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Each SD-JWT VC of a credential response by its holder key's thumbprint: its issuer-signed
    payload without the digests, and its disclosures' claims without their salts (both made anew
    with every signature)."""
    out = {}
    for entry in response.json()["credentials"]:
        jwt, *disclosures = entry["credential"].rstrip("~").split("~")
        payload = json.loads(b64url_decode(jwt.split(".")[1]))
        claims = sorted(json.dumps(json.loads(b64url_decode(d))[1:]) for d in disclosures)
        out[jwk_thumbprint(payload["cnf"]["jwk"])] = ({k: v for k, v in payload.items() if k != "_sd"}, claims)
    return out


def _ask(issuer: Issuer, token: str, keys: list[Any], proofs: list[str] | None = None) -> httpx.Response:
    """The A1 as SD-JWT VC for ``keys``, each proven with a fresh c_nonce (or by ``proofs``)."""
    proofs = proofs or [issuer.proof(k, nonce=issuer.nonce()) for k in keys]
    return issuer.credential(token, {"credential_configuration_id": "pda1", "proofs": {"jwt": proofs}})


def test_a_credential_answer_lost_is_given_again_to_fresh_proofs_of_the_same_keys(issuer: Issuer) -> None:
    """A wallet whose answer was lost after the issuer committed (a timeout, a dropped connection) asks
    again with the same access token and fresh proofs (new c_nonces) of the same keys: it is given the
    same credentials, signed again (the same status entries, holder keys, claims, iat and exp, and
    notification_id), which the offer's spent one-time code could not get it."""
    token, keys = issuer.token(), [generate_key(), generate_key()]
    lost = _ask(issuer, token, keys)
    assert lost.status_code == 200, lost.text
    again = _ask(issuer, token, keys[::-1])  # the keys in another order keep their own status entries
    assert again.status_code == 200, again.text
    assert again.json()["notification_id"] == lost.json()["notification_id"]
    assert _signed(again) == _signed(lost)
    assert set(_signed(lost)) == {jwk_thumbprint(public_jwk(k)) for k in keys}


def test_a_credential_request_again_with_other_keys_is_still_refused(issuer: Issuer) -> None:
    """Credentials for other keys than those given (a stolen Bearer token's, or more copies than the
    batch), or for part of them, would be a second set: one response per form and token, as before."""
    token, keys = issuer.token(), [generate_key(), generate_key()]
    assert _ask(issuer, token, keys).status_code == 200
    for other in ([keys[0], generate_key()], [keys[0]], [*keys, generate_key()]):
        refused = _ask(issuer, token, other)
        assert (refused.status_code, refused.json()["error"]) == (400, "credential_request_denied"), refused.text
        assert "already issued" in refused.json()["error_description"]


def test_a_credential_request_replayed_as_it_was_is_refused_for_its_spent_c_nonce(issuer: Issuer) -> None:
    """The same request sent again, its proofs and all, is not an ask again: each c_nonce is taken once
    (§7.2, §8.3.1.2), so a replayed proof gets nothing, even with the token and keys it was given to."""
    token, key = issuer.token(), generate_key()
    proofs = [issuer.proof(key, nonce=issuer.nonce())]
    assert _ask(issuer, token, [key], proofs).status_code == 200
    replayed = _ask(issuer, token, [key], proofs)
    assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_nonce"), replayed.text


def test_a_credential_answer_given_again_is_one_delivery_in_the_case_history(issuer: Issuer,
                                                                              registry_dir: Path) -> None:
    """Given again, nothing is recorded again: no status entry (entries are finite, the list's
    holder learns nothing), no event in the case's history (the keys' attestation noted once)."""
    token, keys = issuer.token(), [generate_key(), generate_key()]
    provider_key, chain = load_demo_pki(registry_dir / "pki").signers["LV:ESSPASS-WALLET"]

    def attested_proofs() -> list[str]:
        nonce = issuer.nonce()
        attestation = key_attestation.attest(
            provider_key, chain, keys=[k.public_key() for k in keys], iat=int(time.time()), lifetime=300,
            key_storage=["iso_18045_basic"], user_authentication=["iso_18045_basic"], nonce=nonce)
        return [sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(k), "key_attestation": attestation},
                         {"aud": f"{issuer.url}/lv-vsaa", "iat": int(time.time()), "nonce": nonce}, k) for k in keys]

    def history() -> tuple[list[Any], list[Any]]:
        case = issuer.http.get(f"/lv-vsaa/api/cases/{issuer.last_case}", headers=issuer.clerk()).json()
        return case["credential_records"], case["events"]

    assert _ask(issuer, token, keys, attested_proofs()).status_code == 200
    records, events = history()
    assert len(records) == 2 and [e["action"] for e in events].count("keys_attested") == 1
    assert _ask(issuer, token, keys, attested_proofs()).status_code == 200
    assert history() == (records, events)


#: As the wallet's own client asks (wallet.http.make_client): answers not compressed.
IDENTITY = {"Accept-Encoding": "identity"}


class _LosesAnswers(httpx.BaseTransport):
    """The wallet's transport, losing the first ``times`` answers of the credential endpoint after the
    issuer sent them (read and thrown away; the wallet told its read timed out), as a connection
    dropped after the issuer committed would."""

    def __init__(self, times: int) -> None:
        self.inner, self.times, self.lost = fetch.transport(), times, list[int]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/credential") and len(self.lost) < self.times:
            response.read()
            response.close()
            self.lost.append(response.status_code)
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def test_the_wallet_asks_again_once_when_the_credential_answer_is_lost(issuer: Issuer) -> None:
    """The reference wallet's client, its answer lost once after the issuer signed, asks again (a
    fresh c_nonce, new proofs of the same keys) and gets the credentials given: one delivery."""
    _offer, tx, link = issuer.offer()
    transport = _LosesAnswers(times=1)
    with httpx.Client(transport=transport, timeout=20, headers=IDENTITY, follow_redirects=False) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=2, now=datetime.now(UTC))
    assert transport.lost == [200]
    assert [(b.configuration_id, len(b.credentials)) for b in batches] == [("pda1", 2), ("pda1_mdoc", 2)]
    case = issuer.http.get(f"/lv-vsaa/api/cases/{issuer.last_case}", headers=issuer.clerk()).json()
    held = sorted(json.loads(b64url_decode(c.split(".")[1]))["status"]["status_list"]["idx"]
                  for c in batches[0].credentials)
    assert len(case["credential_records"]) == 4  # two copies in each form, none more
    assert held == sorted(r["idx"] for r in case["credential_records"] if r["idx"] in held)


def test_the_wallet_asks_again_only_once_after_a_lost_answer(issuer: Issuer) -> None:
    """Lost twice, the loss is the answer (no loop against a server that never answers): the other
    form still comes."""
    _offer, tx, link = issuer.offer()
    transport, failures = _LosesAnswers(times=2), list[Any]()
    with httpx.Client(transport=transport, timeout=20, headers=IDENTITY, follow_redirects=False) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=1, now=datetime.now(UTC),
                                     failures=failures)
    assert transport.lost == [200, 200]
    assert [b.configuration_id for b in batches] == ["pda1_mdoc"]
    assert [type(f) for f in failures] == [TransportError]


class _Timed(_LosesAnswers):
    """:class:`_LosesAnswers`, each request of the nonce and credential endpoints noted with the seconds
    the wallet gave it (the deadline esspass.fetch.stream set for it), after ``slow`` seconds of the
    issuer's before an answer it loses."""

    def __init__(self, times: int, *, slow: float = 0.0) -> None:
        super().__init__(times)
        self.slow, self.given = slow, list[tuple[str, float]]()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = fetch._deadline.get()  # what the wallet gave this exchange
        if request.url.path.endswith(("/nonce", "/credential")) and deadline is not None:
            self.given.append((request.url.path.rsplit("/", 1)[1], deadline - time.monotonic()))
            if request.url.path.endswith("/credential") and len(self.lost) < self.times:
                time.sleep(self.slow)
        return super().handle_request(request)


def test_the_first_answer_is_waited_for_as_any_and_the_retry_after_a_lost_one_briefly(issuer: Issuer) -> None:
    """A slow issuer's first answer is waited for as long as any answer (MAX_RESPONSE_SECONDS), the
    retry after it was lost (its c_nonce and request) LOST_RETRY_SECONDS at most: the issuer only
    gives again what it answered, and the worker is not kept a minute at the screen."""
    _offer, tx, link = issuer.offer()
    transport = _Timed(times=1)
    with httpx.Client(transport=transport, timeout=20, headers=IDENTITY, follow_redirects=False) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=1, now=datetime.now(UTC))
    assert [b.configuration_id for b in batches] == ["pda1", "pda1_mdoc"]
    [(_n, nonce), (_c, first), (_n2, nonce_again), (_c2, again), *_mdoc] = transport.given
    assert [name for name, _seconds in transport.given] == ["nonce", "credential"] * 3
    assert first > wallet_http.MAX_RESPONSE_SECONDS - 2 and nonce > wallet_http.MAX_RESPONSE_SECONDS - 2
    assert nonce_again <= receive.LOST_RETRY_SECONDS and again <= receive.LOST_RETRY_SECONDS
    assert receive.CREDENTIAL_SECONDS < 60


def test_a_credential_request_and_its_retry_end_within_credential_seconds(issuer: Issuer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """However slow the issuer, one form's request, its retry after a lost answer included, ends within
    CREDENTIAL_SECONDS (here 3 s: an issuer that took 2 s over a lost answer leaves the retry 1 s)."""
    monkeypatch.setattr(receive, "CREDENTIAL_SECONDS", 3.0)
    _offer, tx, link = issuer.offer()
    transport = _Timed(times=1, slow=2.0)
    with httpx.Client(transport=transport, timeout=20, headers=IDENTITY, follow_redirects=False) as client:
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batches = obtain_credentials(client, resolved, tx_code=tx, copies=1, now=datetime.now(UTC))
    assert [b.configuration_id for b in batches] == ["pda1", "pda1_mdoc"]  # the issuer gave it again at once
    [_nonce, (_c, first), (_n2, nonce_again), (_c2, again), *_mdoc] = transport.given
    assert first <= 3.0 and nonce_again <= 1.0 and again <= 1.0


# --- the issuer: credential request (§8.2, §8.3.1.2, App. F.1) -----------------------------------------


def test_a_proof_without_a_c_nonce_is_invalid_proof_not_invalid_nonce(issuer: Issuer) -> None:
    """§8.3.1.2 invalid_proof "(3) if at least one of the key proofs does not contain a c_nonce
    value"; invalid_nonce is for a nonce that is there but not current (a retry mends only that)."""
    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof(generate_key())]}}
    response = issuer.credential(issuer.token(), body)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_proof")
    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof(generate_key(), nonce="")]}}
    assert issuer.credential(issuer.token(), body).json()["error"] == "invalid_proof"


def test_a_request_for_an_encrypted_response_is_refused_not_answered_in_clear(issuer: Issuer) -> None:
    """§8.3: with credential_response_encryption the response MUST be encrypted; this issuer offers
    no encryption (§12.2.4), so it says invalid_encryption_parameters, and hands out nothing."""
    metadata = issuer.http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
    assert "credential_response_encryption" not in metadata
    token = issuer.token()
    wallet_key = generate_key()
    body = {"credential_configuration_id": "pda1",
            "proofs": {"jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]},
            "credential_response_encryption": {"jwk": {**public_jwk(wallet_key), "alg": "ECDH-ES"}, "enc": "A128GCM"}}
    refused = issuer.credential(token, body)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_encryption_parameters")
    assert refused.headers["cache-control"] == "no-store"
    del body["credential_response_encryption"]
    body["proofs"] = {"jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}
    assert issuer.credential(token, body).status_code == 200  # the token was not spent by the refusal


def test_a_credential_request_without_an_access_token_is_an_authorization_error_first(issuer: Issuer) -> None:
    """§8.3.1.1 / RFC 6750 §3.1: no access token is 401 invalid_token, whatever the body holds (a
    caller without a token learns nothing of the request checks, nor has its attestations checked)."""
    bodies: list[Any] = [{"credential_configuration_id": "pda1", "credential_identifier": "pda1"}, {"proofs": {}}, []]
    for body in bodies:
        response = issuer.http.post("/lv-vsaa/credential", json=body)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token"), body
        # RFC 6750 §3.1: no authentication at all gets the bare challenge, without an error code,
        # for both schemes the issuer takes (RFC 9449 §7.1).
        assert response.headers["www-authenticate"] == 'Bearer, DPoP algs="ES256"'
    response = issuer.http.post("/lv-vsaa/notification", json={"event": "nonsense"})
    assert (response.status_code, response.json()["error"]) == (401, "invalid_token")
    response = issuer.http.post("/lv-vsaa/credential", json={"credential_configuration_id": "pda1",
                                                            "proofs": {"jwt": ["a.b.c"]}},
                                headers={"Authorization": "Bearer not-a-token"})
    # A token that fails is named in the challenge.
    assert response.status_code == 401 and response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_an_access_token_the_issuer_never_gave_is_refused_before_the_request_is_read(issuer: Issuer) -> None:
    """RFC 6750 §3.1: a bad token is 401 invalid_token at every protected endpoint, whatever the body:
    not its request errors first, and no key attestation of the caller's is parsed or verified."""
    bad = {"Authorization": "Bearer not-a-token"}
    for endpoint, body in (("credential", {}), ("credential", {"credential_configuration_id": "pda1",
                                                               "proofs": {"attestation": ["garbage.jwt.x"]}}),
                           ("notification", {}), ("deferred_credential", {"transaction_id": 5})):
        response = issuer.http.post(f"/lv-vsaa/{endpoint}", json=body, headers=bad)
        assert (response.status_code, response.json()["error"]) == (401, "invalid_token"), (endpoint, body)


def test_the_authorization_scheme_is_case_insensitive(issuer: Issuer) -> None:
    """RFC 9110 §11.1: ``bearer`` is ``Bearer``."""
    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof(generate_key(),
                                                                                   nonce=issuer.nonce())]}}
    response = issuer.credential(issuer.token(), body, scheme="bearer")
    assert response.status_code == 200, response.text


def test_an_event_description_outside_the_11_1_characters_is_an_invalid_notification_request(issuer: Issuer) -> None:
    """§11.1: event_description is ASCII without '"' and '\\' (%x20-21 / %x23-5B / %x5D-7E); any other
    text, or a value that is not text, is refused (§11.3), not silently dropped."""
    token = issuer.token()
    issued = issuer.credential(token, {"credential_configuration_id": "pda1", "proofs": {
        "jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}})
    nid = issued.json()["notification_id"]

    def notify(description: object) -> httpx.Response:
        return issuer.http.post("/lv-vsaa/notification", headers={"Authorization": f"Bearer {token}"}, json={
            "notification_id": nid, "event": "credential_failure", "event_description": description})

    for description in ("r\u00e9sum\u00e9", 'a "quote"', "back\\slash", "tab\there", 5, None):
        response = notify(description)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_notification_request"), description
    assert notify("storage full!").status_code == 204


def test_a_c_nonce_is_taken_only_by_the_credential_issuer_that_gave_it(issuer: Issuer) -> None:
    """§7: the c_nonce is the Credential Issuer's; each institution hosted here is one, so a c_nonce of
    LV:NVD's nonce endpoint is invalid_nonce at LV:VSAA's credential endpoint (and stays LV:NVD's)."""
    token = issuer.token()
    elsewhere = str(issuer.http.post("/lv-nvd/nonce").json()["c_nonce"])
    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof(generate_key(), nonce=elsewhere)]}}
    refused = issuer.credential(token, body)
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_nonce")
    body = {"credential_configuration_id": "pda1", "proofs": {"jwt": [issuer.proof(generate_key(),
                                                                                   nonce=issuer.nonce())]}}
    assert issuer.credential(token, body).status_code == 200


def test_an_oversized_credential_request_is_told_it_is_too_large(issuer: Issuer) -> None:
    """A body over the endpoint's limit is 413 saying so, not "the body is not JSON"."""
    body = {"credential_configuration_id": "pda1", "padding": "x" * (300 * 1024)}
    response = issuer.credential("not-a-token", body)
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_credential_request"
    assert "larger than" in response.json()["error_description"]


def test_every_error_description_keeps_to_rfc6749_characters() -> None:
    """RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, in every service's error
    responses (esspass.web.error_response), whatever a message quotes or cites."""
    from credentials.errors import ProtocolError
    from esspass.web import error_response

    body = json.loads(bytes(error_response(ProtocolError("invalid_request", 'name "Łukasz" \\ per §8.2\n')).body))
    assert body["error_description"] == "name '?ukasz' / per section 8.2?"
    assert all(0x20 <= ord(c) <= 0x7E and c not in '"\\' for c in body["error_description"])


def test_a_batch_size_below_one_is_refused_at_start(tmp_path: Path) -> None:
    """OpenID4VCI §12.2.4 batch_size: 0 would refuse every credential request."""
    from pydantic import ValidationError

    from issuer.settings import IssuerSettings

    with pytest.raises(ValidationError, match="batch_size"):
        IssuerSettings(data_dir=tmp_path, batch_size=0)


# --- the issuer: token endpoint (§6) -------------------------------------------------------------------


def _details(*ids: str) -> str:
    return json.dumps([{"type": "openid_credential", "credential_configuration_id": cid} for cid in ids])


def test_authorization_details_in_a_pre_authorized_token_request_get_credential_identifiers(issuer: Issuer) -> None:
    """§6.1: "The Wallet can use authorization_details in the Token Request to request a specific
    Credential Configuration in both the Authorization Code Flow and the Pre-Authorized Code Flow";
    §6.2: authorization_details is then REQUIRED in the response, each with credential_identifiers,
    which the credential requests use (§8.2)."""
    response = issuer.http.post("/lv-vsaa/token", data=issuer.token_form(authorization_details=_details("pda1_mdoc")))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    details = response.json()["authorization_details"]
    assert details == [{"type": "openid_credential", "credential_configuration_id": "pda1_mdoc",
                        "credential_identifiers": ["pda1_mdoc"]}]
    token = response.json()["access_token"]
    by_configuration = issuer.credential(token, {"credential_configuration_id": "pda1_mdoc", "proofs": {
        "jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}})
    assert by_configuration.json()["error"] == "invalid_credential_request"  # §8.2: MUST NOT be used then
    other = issuer.credential(token, {"credential_identifier": "pda1", "proofs": {
        "jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}})
    assert other.json()["error"] == "unknown_credential_identifier"  # the token covers only what was asked
    issued = issuer.credential(token, {"credential_identifier": details[0]["credential_identifiers"][0], "proofs": {
        "jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}})
    assert issued.status_code == 200, issued.text


@pytest.mark.parametrize(("details", "error"), [
    (_details("ehic"), "invalid_authorization_details"),  # not in the offer
    (json.dumps([{"type": "payment_initiation"}]), "invalid_authorization_details"),
    ("[", "invalid_request"),
])
def test_authorization_details_beyond_the_offer_are_refused(issuer: Issuer, details: str, error: str) -> None:
    form = issuer.token_form(authorization_details=details)
    response = issuer.http.post("/lv-vsaa/token", data=form)
    assert (response.status_code, response.json()["error"]) == (400, error)
    del form["authorization_details"]
    assert issuer.http.post("/lv-vsaa/token", data=form).status_code == 200  # the code was not spent


def test_error_descriptions_keep_to_the_characters_rfc6749_allows(issuer: Issuer) -> None:
    """RFC 6749 §5.2: error_description MUST NOT include characters outside %x20-21 / %x23-5B /
    %x5D-7E, also when it names a parameter the client repeated."""
    for name in ('tx_code', 'a"b', "a\\b", "gr\u00fc\u00df"):
        body = f"{quote(name)}=1&{quote(name)}=2&grant_type={quote(PRE_AUTH_GRANT)}"
        response = issuer.http.post("/lv-vsaa/token", content=body,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert (response.status_code, response.json()["error"]) == (400, "invalid_request"), name
        assert set(response.json()["error_description"]) <= DESCRIPTION_CHARS, response.json()


# --- DPoP (RFC 9449) at the credential endpoint ----------------------------------------------------------


def _dpop(key: Any, url: str, *, nonce: str | None = None, token: str | None = None) -> str:
    claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": "POST", "htu": url, "iat": int(time.time())}
    if nonce is not None:
        claims["nonce"] = nonce
    if token is not None:
        claims["ath"] = b64url_encode(hashlib.sha256(token.encode()).digest())
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)}, claims, key)


def test_an_unusable_dpop_bound_token_is_challenged_with_the_dpop_scheme(issuer: Issuer) -> None:
    """RFC 9449 §7.1: a protected resource answers a DPoP-bound token it refuses with a ``DPoP``
    WWW-Authenticate challenge (with its algs), not a Bearer one the wallet cannot answer."""
    key = generate_key()
    form = issuer.token_form()
    dpop_nonce = issuer.http.post("/lv-vsaa/nonce").headers["DPoP-Nonce"]
    response = issuer.http.post("/lv-vsaa/token", data=form,
                                headers={"DPoP": _dpop(key, f"{issuer.url}/lv-vsaa/token", nonce=dpop_nonce)})
    assert response.json()["token_type"] == "DPoP", response.text
    token, url = response.json()["access_token"], f"{issuer.url}/lv-vsaa/credential"

    def request(scheme: str) -> httpx.Response:
        body = {"credential_configuration_id": "pda1",
                "proofs": {"jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}}
        return issuer.http.post("/lv-vsaa/credential", json=body, headers={
            "Authorization": f"{scheme} {token}", "DPoP": _dpop(key, url, nonce=dpop_nonce, token=token)})

    as_bearer = request("Bearer")
    assert (as_bearer.status_code, as_bearer.json()["error"]) == (401, "invalid_token")
    assert as_bearer.headers["www-authenticate"].startswith('DPoP error="invalid_token"')
    assert request("DPoP").status_code == 200
    used = request("DPoP")  # one response per configuration: this one was given
    assert (used.status_code, used.json()["error"]) == (400, "credential_request_denied")
    unknown = issuer.http.post("/lv-vsaa/credential", json={"credential_configuration_id": "pda1", "proofs": {
        "jwt": [issuer.proof(generate_key(), nonce=issuer.nonce())]}}, headers={
        "Authorization": "DPoP not-a-token", "DPoP": _dpop(key, url, nonce=dpop_nonce, token="not-a-token")})
    assert unknown.headers["www-authenticate"].startswith('DPoP error="invalid_token"')


# --- metadata (§12.2.4) ------------------------------------------------------------------------------------


def test_batch_credential_issuance_is_advertised_only_with_a_batch_size_of_two_or_more() -> None:
    """§12.2.4 batch_size: "It MUST be 2 or greater"; an issuer taking one proof says nothing."""
    assert "batch_credential_issuance" not in openid4vci.issuer_metadata("https://i.example", [], display=[],
                                                                          batch_size=1)
    assert openid4vci.issuer_metadata("https://i.example", [], display=[],
                                      batch_size=2)["batch_credential_issuance"] == {"batch_size": 2}


def test_an_issuer_that_takes_one_proof_per_request_does_not_advertise_batches(registry_dir: Path,
                                                                               tmp_path: Path) -> None:
    settings = IssuerSettings(data_dir=registry_dir, public_url="http://127.0.0.1:1", batch_size=1,
                              wallet_attestation="off", key_attestation="off",
                              database_url=f"sqlite:///{tmp_path / 'issuer.db'}")
    with serve(create_app(settings)) as handle, httpx.Client(base_url=handle.url) as http:
        metadata = http.get("/.well-known/openid-credential-issuer/lv-vsaa").json()
    assert "batch_credential_issuance" not in metadata


def test_the_issuer_display_has_one_object_per_locale(registry_dir: Path, tmp_path: Path) -> None:
    """§12.2.4 display: "There MUST be only one object for each language identifier": an Irish
    institution's own name and its English name are both "en"."""
    service = build_service(IssuerSettings(data_dir=registry_dir, public_url="http://127.0.0.1:1",
                                           wallet_attestation="off", key_attestation="off",
                                           database_url=f"sqlite:///{tmp_path / 'issuer.db'}"))
    try:
        demo = service.institution("lv-nvd")
        entity = Entity("IE:HSE", "IE", "Health Service Executive", "Health Service Executive (Ireland)",
                        frozenset({Role.EHIC_ISSUER}), "ie-hse")
        irish = Institution(entity, demo.key, demo.x5c, "http://127.0.0.1:1/ie-hse")
        locales = [d.get("locale") for d in service.metadata(irish)["display"]]
    finally:
        service.engine.dispose()
    assert locales == ["en"]


# --- the wallet: authorization server metadata (RFC 8414 §3.3) ---------------------------------------------


@pytest.fixture
def hostile_issuer() -> Iterator[ServerHandle]:
    """An issuer whose authorization server metadata does not name itself (its ``issuer`` absent)."""
    app = FastAPI()
    state: dict[str, str] = {}

    @app.get("/.well-known/openid-credential-issuer/x")
    def metadata() -> JSONResponse:
        base = state["url"]
        return JSONResponse({"credential_issuer": f"{base}/x", "credential_endpoint": f"{base}/x/credential",
                             "credential_configurations_supported": {"pda1": {
                                 "format": "dc+sd-jwt", "vct": "urn:eudi:pda1:1"}}})

    @app.get("/.well-known/oauth-authorization-server/x")
    def as_metadata() -> JSONResponse:
        return JSONResponse({"token_endpoint": f"{state['url']}/x/token"})  # no "issuer"

    with serve(app) as handle:
        state["url"] = handle.url
        yield handle


def test_the_wallet_refuses_authorization_metadata_that_does_not_name_its_issuer(
        hostile_issuer: ServerHandle) -> None:
    """RFC 8414 §3.3: issuer is REQUIRED and "MUST be identical" to the identifier it was fetched for,
    "If these values are not identical, the data contained in the response MUST NOT be used"."""
    offer = {"credential_issuer": f"{hostile_issuer.url}/x", "credential_configuration_ids": ["pda1"],
             "grants": {PRE_AUTH_GRANT: {"pre-authorized_code": "abc"}}}
    link = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))
    with wallet_http.make_client(verify=True, timeout=5) as client, pytest.raises(MalformedError, match="issuer"):
        resolve_offer(client, link, allow_loopback_http=True)


def test_the_wallet_keeps_event_descriptions_to_the_characters_11_1_allows(issuer: Issuer) -> None:
    """§11.1 event_description: ASCII, none of '"' and '\\'; the wallet's own words are made so."""
    from wallet.receive import notify

    _offer, tx, link = issuer.offer()
    sent: list[dict[str, Any]] = []

    def hook(request: httpx.Request) -> None:
        if request.url.path.endswith("/notification"):
            sent.append(json.loads(request.content))

    with wallet_http.make_client(verify=True, timeout=20) as client:
        client.event_hooks["request"] = [hook]
        resolved = resolve_offer(client, link, allow_loopback_http=True)
        batch = obtain_credentials(client, resolved, tx_code=tx, copies=1, now=datetime.now(UTC))[0]
        notify(client, resolved, batch, "credential_failure", now=datetime.now(UTC),
               description='Schl\u00fcssel "kaputt" \\ n')
    assert set(sent[0]["event_description"]) <= DESCRIPTION_CHARS
    assert sent[0]["event_description"].startswith("Schl?ssel")

