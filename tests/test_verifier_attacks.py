"""Issue #6: the verifier against the real issuer, registry and wallet, honest and hostile.

One stack (registry, issuer, verifier on loopback) and one wallet holding Anna's PID, PDA1 and
EHIC; each test is one requirement or one attack, named after it.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from credentials import client_attestation, ehic, i18n, mdoc, openid4vp, pda1, pid, sd_jwt_vc, status_list, trust_list
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.errors import IssuerTrustError, ProtocolError
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import (
    b64url_decode,
    b64url_encode,
    generate_key,
    jwk_thumbprint,
    public_jwk,
    sign_jws,
    verify_jws,
)
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.pki import DemoPki, create_demo_pki, load_demo_pki
from credentials.sd_jwt import parse, present
from credentials.x509 import load_x5c
from esspass.db import make_engine
from esspass.stack import (
    Clerk,
    Inspector,
    InspectorAuth,
    Stack,
    open_wallet,
    renumbered,
    start_in_process,
    unnumbered,
    verifier_replica,
)
from esspass.testing import free_port, serve
from issuer.settings import IssuerSettings
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings
from trust_registry.store import Registry
from verifier import messages
from verifier.app import build_service
from verifier.app import create_app as verifier_app
from verifier.settings import VerifierSettings
from verifier.transactions import load_storage_key
from wallet.errors import NotFoundError
from wallet.keys import load_key

PERSON = DEMO_PERSONS[0]
#: The demo A1 stating its own expiry date (the end of its period): as ISO mdoc, every element of which
#: a wallet may withhold, an A1 is confirmed valid only when it shows that date (document_validity).
A1 = {**PERSON.pda1, "date_of_expiry": PERSON.pda1["ending_date"]}


class World:
    def __init__(self, stack: Stack, http: httpx.Client, wallet: Any, clerk: Clerk, pki: DemoPki,
                 cases: dict[str, str]) -> None:
        self.stack, self.http, self.wallet, self.clerk, self.pki, self.cases = stack, http, wallet, clerk, pki, cases
        self.inspector = Inspector(stack.verifier_url, http)

    def number(self, name: str) -> str:
        """The document number the issuer gave the wallet's ``name`` (pda1, ehic)."""
        entity = {"pda1": PERSON.pda1_issuer, "ehic": PERSON.ehic_issuer}[name]
        return str(self.clerk.case(entity, self.cases[name])["claims"]["document_number"])

    def held(self, vct: str) -> Any:
        return next(c for c in self.wallet.credentials() if c.vct == vct and c.format == "dc+sd-jwt")

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        consent = self.wallet.open_request(request["link"], "en")
        self.wallet.share(consent.id)
        verdict: dict[str, Any] = self.inspector.result(request)["verdict"]
        return verdict

    def request_object(self, request: dict[str, Any]) -> dict[str, Any]:
        token = self.http.get(request["request_uri"]).text
        payload: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
        return payload

    def vp_token(self, payload: dict[str, Any], **overrides: str) -> dict[str, list[str]]:
        """Presentations made by hand from the wallet's credentials, for the request in ``payload``."""
        out = {}
        for qid, vct in (("pda1", pda1.VCT), ("pid", pid.VCT)):
            cred = self.held(vct)
            paths = [tuple(c["path"]) for c in next(q for q in payload["dcql_query"]["credentials"]
                                                    if q["id"] == qid)["claims"] if c["path"][0] in cred.claims]
            out[qid] = [overrides.get(qid) or present(cred.credential, select=paths,
                                                      holder_key=load_key(cred.private_key), nonce=payload["nonce"],
                                                      aud=payload["client_id"], iat=int(time.time()))]
        return out

    def post(self, payload: dict[str, Any], vp_token: dict[str, list[str]], *, state: str | None = None,
             to: str | None = None) -> httpx.Response:
        form = openid4vp.build_response_form({**payload, "state": state or payload["state"]},
                                             {"vp_token": vp_token})
        return self.http.post(to or payload["response_uri"], data=form)

    def verify(self, presentation_by_query: dict[str, list[str]], nonce: str = "n-123456789",
               aud: str = "x509_hash:test", profile: str = "pda1") -> dict[str, Any]:
        response = self.http.post(f"{self.stack.verifier_url}/verify", json={
            "vp_token": presentation_by_query, "profile": profile, "nonce": nonce, "audience": aud})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("verifier")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)  # the inspectorate's system signs its API calls
        http.post(f"{stack.verifier_url}/login", data={"token": stack.inspector_token})  # and its pages
        clerk = Clerk(stack.issuer_url, data_dir, http)
        wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
        cases = {}
        for name, entity, config, claims in (("pid", PERSON.pid_provider, "pid", {**PERSON.pid,
                                                                                    "picture": portrait(PERSON)}),
                                             ("pda1", PERSON.pda1_issuer, "pda1", unnumbered(A1)),
                                             ("ehic", PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))):
            cases[name] = clerk.create_case(entity, config, claims, None if config == "pid" else PERSON.holder)
            offer = clerk.offer(entity, cases[name])
            offer_id, _ = wallet.open_offer(offer["link"])
            wallet.accept_offer(offer_id, offer["tx_code"])
        yield World(stack, http, wallet, clerk, load_demo_pki(data_dir / "pki"), cases)
        wallet.http.close()


def _public_id(request: dict[str, Any]) -> str:
    """The id in the request_uri: public, it is in the QR code (the inspector's is transaction_id)."""
    return str(request["request_uri"].rsplit("/", 1)[1])


def _steps(verdict: dict[str, Any]) -> dict[str, str]:
    out = {s["code"]: s["result"] for s in verdict.get("steps", [])}
    for cred in verdict.get("credentials", []):
        for s in cred["steps"]:
            out[f"{cred['query_id']}.{s['code']}"] = s["result"]
    return out


def _valid_answer(world: World, inspector: Inspector, mode: str, prefix: str) -> dict[str, Any]:
    request = inspector.request("pda1", response_mode=mode, client_id_prefix=prefix)
    assert request["client_id"].startswith(prefix + ":")
    consent = world.wallet.open_request(request["link"], "en")
    world.wallet.share(consent.id)
    verdict: dict[str, Any] = inspector.result(request)["verdict"]
    return verdict


@pytest.mark.parametrize("mode", ["direct_post.jwt", "direct_post"])
@pytest.mark.parametrize("prefix", ["x509_hash", "x509_san_dns"])
def test_pda1_and_pid_in_one_answer_are_valid(world: World, mode: str, prefix: str) -> None:
    if prefix == "x509_hash":
        verdict = _valid_answer(world, world.inspector, mode, prefix)
    else:  # OpenID4VP §5.9.3: on the host its certificate names (the pilot's: localhost)
        with verifier_replica(world.stack, host="localhost") as (_service, url):
            verdict = _valid_answer(world, Inspector(url, world.http), mode, prefix)
    assert verdict["verdict"] == "valid", verdict
    assert verdict["person"]["family_name"] == PERSON.pid["family_name"]
    assert verdict["person"]["picture"].startswith("data:image/jpeg")  # PID Rulebook §4.1: a JPEG
    steps = _steps(verdict)
    for code in ("disclosures", "issuer_signature", "issuer_chain", "issuer_authorised", "key_binding",
                 "token_validity", "document_validity", "coverage_period", "status"):
        assert steps[f"pda1.{code}"] == "passed"
    assert steps["query"] == "passed"


def test_request_object_is_signed_and_fresh(world: World) -> None:
    request = world.inspector.request("pda1")
    token = world.http.get(request["request_uri"])
    assert token.headers["content-type"].startswith("application/oauth-authz-req+jwt")
    payload = world.request_object(request)
    header = json.loads(b64url_decode(token.text.split(".")[0]))
    assert header["typ"] == "oauth-authz-req+jwt"
    verify_jws(token.text, load_x5c(header["x5c"])[0].public_key(), algorithms=("ES256",))  # type: ignore[arg-type]
    other = world.request_object(world.inspector.request("pda1"))
    assert payload["nonce"] != other["nonce"] and payload["state"] != other["state"]
    assert payload["client_metadata"]["jwks"]["keys"][0] != other["client_metadata"]["jwks"]["keys"][0]
    link = parse_qs(urlsplit(request["link"]).query)
    assert link["client_id"] == [payload["client_id"]]


def test_ehic_and_pid_profile(world: World) -> None:
    verdict = world.answer(world.inspector.request("ehic"))
    assert verdict["verdict"] == "valid", verdict
    assert verdict["credentials"][0]["vct"] == ehic.VCT


def test_a_childs_card_is_shown_as_the_childs_not_the_parents(world: World) -> None:
    """Decision S2: a card for a represented person names them (``subject``). Shown by the parent with
    the parent's PID, the verdict names the child as the insured person, never as the parent's own card;
    and ``subject`` is not selectively disclosable, so a wallet cannot leave it out."""
    child = {"forenames": "Līga", "familynames": "Bērziņa", "date_of_birth": "2019-05-02"}
    card = {**PERSON.ehic, "document_number": "DEMO-EHIC-LV-CHILD", "subject": child}
    parent = open_wallet(world.stack.data_dir / "parent-phone", world.stack.registry_url, "pw", fast_kdf=True,
                         pki_dir=world.stack.data_dir / "pki")
    try:
        for entity, config, claims in ((PERSON.pid_provider, "pid", PERSON.pid),
                                       (PERSON.ehic_issuer, "ehic", card)):
            offer = world.clerk.offer(entity, world.clerk.create_case(entity, config, claims))
            offer_id, _ = parent.open_offer(offer["link"])
            parent.accept_offer(offer_id, offer["tx_code"])
        held = next(c for c in parent.credentials() if c.vct == ehic.VCT and c.format == "dc+sd-jwt")
        assert "subject" in parse(held.credential).issuer_jws.payload  # in the signed payload, not a disclosure
        # Nor as ISO mdoc, whose every element could be withheld.
        assert {c.format for c in parent.credentials() if c.vct == ehic.VCT} == {"dc+sd-jwt"}
        request = world.inspector.request("ehic")
        parent.share(parent.open_request(request["link"], "en").id)
        result = world.inspector.result(request)
        verdict = result["verdict"]
        assert verdict["verdict"] == "valid", verdict
        assert verdict["person"]["family_name"] == PERSON.pid["family_name"]
        assert verdict["person"]["documents"][0]["subject"] == child
    finally:
        parent.http.close()


def test_a_provisional_replacement_certificate_answers_the_ehic_inspection(world: World) -> None:
    """Decision S2: a PRC has its own period instead of the card's expiry date; it answers the request."""
    today = datetime.now(UTC).date()
    prc = {k: v for k, v in PERSON.ehic.items() if k != "date_of_expiry"}
    prc.update(document_number="DEMO-PRC-LV-0001", starting_date=str(today - timedelta(days=3)),
               ending_date=str(today + timedelta(days=30)))
    phone = open_wallet(world.stack.data_dir / "prc-phone", world.stack.registry_url, "pw", fast_kdf=True,
                        pki_dir=world.stack.data_dir / "pki")
    try:
        for entity, config, claims in ((PERSON.pid_provider, "pid", PERSON.pid), (PERSON.ehic_issuer, "ehic", prc)):
            offer = world.clerk.offer(entity, world.clerk.create_case(
                entity, config, claims, PERSON.holder if config == "ehic" else None))
            offer_id, _ = phone.open_offer(offer["link"])
            phone.accept_offer(offer_id, offer["tx_code"])
        request = world.inspector.request("ehic")
        phone.share(phone.open_request(request["link"], "en").id)
        verdict = world.inspector.result(request)["verdict"]
        assert verdict["verdict"] == "valid", verdict
        assert _steps(verdict)["ehic.coverage_period"] == "passed"
        assert verdict["person"]["documents"][0]["ending_date"] == prc["ending_date"]
    finally:
        phone.http.close()


def test_a_replayed_response_is_refused(world: World) -> None:
    request = world.inspector.request("pda1", response_mode="direct_post")
    payload = world.request_object(request)
    vp = world.vp_token(payload)
    assert world.post(payload, vp).status_code == 200
    replay = world.post(payload, vp)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_request"
    assert world.inspector.result(request)["verdict"]["verdict"] == "valid"


def test_an_answer_for_another_state_is_refused(world: World) -> None:
    request = world.inspector.request("pda1", response_mode="direct_post")
    payload = world.request_object(request)
    response = world.post(payload, world.vp_token(payload), state="not-the-state-of-this-request")
    assert response.status_code == 400
    assert world.inspector.result(request)["status"] == "pending"


def test_an_answer_sent_to_another_requests_response_uri_cannot_be_decrypted(world: World) -> None:
    first = world.request_object(world.inspector.request("pda1"))
    second = world.inspector.request("pda1")
    response = world.post(first, world.vp_token(first), to=world.request_object(second)["response_uri"])
    assert response.status_code == 400
    assert world.inspector.result(second)["status"] == "pending"


def test_an_unencrypted_answer_to_an_encrypted_request_is_refused(world: World) -> None:
    payload = world.request_object(world.inspector.request("pda1", response_mode="direct_post.jwt"))
    form = openid4vp.build_response_form({**payload, "response_mode": "direct_post"},
                                         {"vp_token": world.vp_token(payload)})
    assert world.http.post(payload["response_uri"], data=form).status_code == 400


def test_pid_and_pda1_bound_to_answers_of_different_requests(world: World) -> None:
    a = world.request_object(world.inspector.request("pda1", response_mode="direct_post"))
    b_request = world.inspector.request("pda1", response_mode="direct_post")
    b = world.request_object(b_request)
    pid_for_a = world.vp_token(a)["pid"][0]
    assert world.post(b, world.vp_token(b, pid=pid_for_a)).status_code == 200
    verdict = world.inspector.result(b_request)["verdict"]
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["pid.key_binding"] == "failed"
    assert _steps(verdict)["pda1.key_binding"] == "passed"


def test_an_untrusted_issuer_is_refused(world: World, tmp_path: Path) -> None:
    rogue = create_demo_pki(tmp_path, DEMO_ENTITIES[:1], now=datetime.now(UTC))
    key, chain = rogue.signers["LV:VSAA"]
    presentation = _forge(key, chain, pda1.validate(PERSON.pda1), pda1, nonce="n-123456789")
    verdict = world.verify({"pda1": [presentation], "pid": world.vp_token(_payload())["pid"]})
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["pda1.issuer_chain"] == "failed"


def test_an_ehic_only_issuer_presenting_a_pda1_is_refused(world: World) -> None:
    key, chain = world.pki.signers["LV:NVD"]
    presentation = _forge(key, chain, pda1.validate(PERSON.pda1), pda1, nonce="n-123456789")
    verdict = world.verify({"pda1": [presentation], "pid": world.vp_token(_payload())["pid"]})
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["pda1.issuer_authorised"] == "failed"
    assert "not competent" in verdict["reason"]


def test_a_coverage_period_that_ended_is_not_valid_today(world: World) -> None:
    key, chain = world.pki.signers["LV:VSAA"]
    yesterday = date.today() - timedelta(days=1)
    claims = pda1.validate({**PERSON.pda1, "starting_date": (yesterday - timedelta(days=200)).isoformat(),
                            "ending_date": yesterday.isoformat(),
                            "date_of_issuance": (yesterday - timedelta(days=210)).isoformat()})
    presentation = _forge(key, chain, claims, pda1, nonce="n-123456789", status=_live_status(world))
    verdict = world.verify({"pda1": [presentation], "pid": world.vp_token(_payload())["pid"]})
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["pda1.coverage_period"] == "failed"
    assert "ended" in verdict["reason"]


def test_a_status_list_signed_by_another_key_is_not_trusted(world: World) -> None:
    key, chain = world.pki.signers["LV:VSAA"]
    other_key, other_chain = world.pki.signers["DE:DRV"]
    app = FastAPI()
    holder: dict[str, str] = {}

    @app.get("/status/1")
    def forged_list() -> PlainTextResponse:
        return PlainTextResponse(holder["token"], media_type="application/statuslist+jwt")

    with serve(app) as fake:
        uri = f"{fake.url}/status/1"
        iat = int(time.time())
        holder["token"] = status_list.sign_token(status_list.StatusList(131072, bits=2), uri=uri, key=other_key,
                                                 x5c=other_chain, iat=iat, exp=iat + 3600, ttl=60)
        presentation = _forge(key, chain, pda1.validate(PERSON.pda1), pda1, nonce="n-123456789",
                              status=status_list.StatusReference(idx=7, uri=uri))
        verdict = world.verify({"pda1": [presentation], "pid": world.vp_token(_payload())["pid"]})
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["pda1.status"] == "failed"


def test_an_unreachable_status_list_is_undetermined_never_valid(world: World) -> None:
    key, chain = world.pki.signers["LV:VSAA"]
    presentation = _forge(key, chain, pda1.validate(PERSON.pda1), pda1, nonce="n-123456789",
                          status=status_list.StatusReference(idx=7, uri="http://127.0.0.1:9/status/1"))
    verdict = world.verify({"pda1": [presentation], "pid": world.vp_token(_payload())["pid"]})
    assert verdict["verdict"] == "undetermined"
    assert _steps(verdict)["pda1.status"] == "not_run"


def test_revoked_and_suspended_documents(world: World) -> None:
    entity = PERSON.ehic_issuer
    world.clerk.set_state(entity, world.cases["ehic"], "suspend", "being checked")
    verdict = world.answer(world.inspector.request("ehic"))
    assert verdict["verdict"] == "invalid" and "suspended" in verdict["reason"]
    world.clerk.set_state(entity, world.cases["ehic"], "reinstate", "checked")
    assert world.answer(world.inspector.request("ehic"))["verdict"] == "valid"
    world.clerk.set_state(entity, world.cases["ehic"], "revoke", "insurance ended")
    request = world.inspector.request("ehic")
    verdict = world.answer(request)
    assert verdict["verdict"] == "invalid" and "withdrawn" in verdict["reason"]
    assert verdict["reason_key"] == "status.withdrawn"
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict?lang=lv")
    assert "NAV DERĪGS" in page.text and "Iestāde šo dokumentu ir atsaukusi." in page.text


def test_a_request_asking_more_than_the_verifier_is_registered_for(world: World) -> None:
    query = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [pid.VCT]},
                              "claims": [{"path": ["family_name"]}, {"path": ["place_of_birth"]}]}]}
    request = world.inspector.request("pda1", dcql_query=query)
    with pytest.raises(IssuerTrustError, match="not registered to request: place_of_birth"):
        world.wallet.open_request(request["link"], "en")


def test_the_wallet_refusing_is_reported(world: World) -> None:
    request = world.inspector.request("pda1")
    consent = world.wallet.open_request(request["link"], "en")
    world.wallet.decline(consent.id)
    result = world.inspector.result(request)
    assert result["status"] == "error" and result["verdict"]["verdict"] == "refused"


def test_more_disclosed_than_asked_is_refused(world: World) -> None:
    payload = world.request_object(world.inspector.request("pda1", response_mode="direct_post"))
    # The PID's nationalities: selectively disclosable, and no option of the inspection asks for them
    # (every claim the A1 can disclose is asked for, its places of work included).
    cred = world.held(pid.VCT)
    assert "nationalities" in cred.claims
    paths = [tuple(c["path"]) for c in next(q for q in payload["dcql_query"]["credentials"] if q["id"] == "pid")[
        "claims"] if c["path"][0] in cred.claims]
    extra = present(cred.credential, select=[*paths, ("nationalities",)],
                    holder_key=load_key(cred.private_key), nonce=payload["nonce"], aud=payload["client_id"],
                    iat=int(time.time()))
    vp = world.vp_token(payload, pid=extra)
    verdict = world.verify(vp, nonce=payload["nonce"], aud=payload["client_id"])
    assert verdict["verdict"] == "invalid"
    assert _steps(verdict)["query"] == "failed"
    assert any("nationalities" in s["message"] for s in verdict["steps"] if s["code"] == "query"), verdict


def test_verification_proof_holds_no_personal_data(world: World) -> None:
    request = world.inspector.request("pda1")
    assert world.answer(request)["verdict"] == "valid"
    result = world.inspector.result(request)
    token = world.http.get(f"{world.stack.verifier_url}{result['proof_url']}").text
    header = json.loads(b64url_decode(token.split(".")[0]))
    verify_jws(token, load_x5c(header["x5c"])[0].public_key(), algorithms=("ES256",))  # type: ignore[arg-type]
    payload = b64url_decode(token.split(".")[1]).decode()
    for value in (PERSON.pid["family_name"], PERSON.pid["given_name"], PERSON.pid["birthdate"],
                  PERSON.pda1["personal_administrative_number"], world.number("pda1")):
        assert value not in payload
    proof = json.loads(payload)
    assert proof["iss"] == "LV:VDI" and proof["verdict"] == "valid"
    assert proof["credentials"][0]["document_ref"] and proof["credentials"][0]["checks"]["status"] == "passed"


def test_personal_data_is_gone_after_the_verdict_was_shown(world: World) -> None:
    request = world.inspector.request("pda1")
    world.wallet.share(world.wallet.open_request(request["link"], "en").id)
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict")
    assert PERSON.pid["family_name"] in page.text
    later = world.inspector.result(request)["verdict"]
    assert "person" not in later and later["personal_data_removed"] is True


def test_someone_who_photographs_the_qr_code_cannot_read_the_verdict(world: World) -> None:
    """The QR code carries the request_uri's id; the verdict, the person and the proof are reached only
    by the inspector's transaction_id, which never leaves the inspector's page or system."""
    request = world.inspector.request("pda1")
    seen_in_qr = _public_id(request)
    assert request["transaction_id"] not in request["link"]
    _answer_at(world, request)
    url = world.stack.verifier_url
    for path in (f"/api/requests/{seen_in_qr}/result", f"/api/requests/{seen_in_qr}/proof",
                 f"/api/requests/{seen_in_qr}/qr.svg", f"/inspect/{seen_in_qr}", f"/inspect/{seen_in_qr}/verdict"):
        response = world.http.get(f"{url}{path}")
        assert response.status_code == 404, path
        assert PERSON.pid["family_name"] not in response.text
    assert world.inspector.result(request)["verdict"]["person"]["family_name"] == PERSON.pid["family_name"]


def _same_device_check(world: World, browser: httpx.Client) -> tuple[str, str]:
    """A same-device check started on the verifier's page in ``browser``: its handle and the wallet link."""
    signed_in = browser.post(f"{world.stack.verifier_url}/login", data={"token": world.stack.inspector_token})
    assert signed_in.status_code == 303
    started = browser.post(f"{world.stack.verifier_url}/inspect", data={"profile": "pda1", "flow": "same_device"})
    assert started.status_code == 303, started.text
    view = started.headers["location"].split("/inspect/")[1].split("?")[0]
    waiting = browser.get(f"{world.stack.verifier_url}/inspect/{view}").text
    found = re.search(r'id="open-wallet" href="([^"]+)"', waiting)
    assert found is not None
    return view, html.unescape(found.group(1))


def test_a_same_device_verdict_needs_the_wallets_redirect_in_the_browser_that_asked(world: World) -> None:
    """OpenID4VP §13.3, HAIP §5: the answer's redirect_uri carries a fresh response_code, and only
    the browser that started the check turns it into the verdict."""
    url = world.stack.verifier_url
    with httpx.Client(timeout=20) as browser:
        view, link = _same_device_check(world, browser)
        outcome = world.wallet.share(world.wallet.open_request(link, "en").id)
        assert outcome.redirect_uri is not None and outcome.redirect_uri.startswith(f"{url}/inspect/done/")
        # Until the redirect is back, not even the page that asked sees the answer; its waiting page (a
        # reload) stays the waiting page, never a round between it and the verdict page.
        assert browser.get(f"{url}/api/requests/{view}/result").json() == {"status": "pending"}
        assert browser.get(f"{url}/inspect/{view}").status_code == 200
        back = browser.get(outcome.redirect_uri)
        assert back.status_code == 303 and back.headers["location"].startswith(f"/inspect/{view}/verdict")
        assert PERSON.pid["family_name"] in browser.get(f"{url}{back.headers['location']}").text
        assert browser.get(outcome.redirect_uri).status_code == 403  # the code is used once


def test_a_same_device_answer_brought_to_another_browser_gives_nobody_the_data(world: World) -> None:
    """Session fixation: someone starts a check and sends its link to a worker. The worker's wallet
    answers and sends the worker's browser back, which did not start the check: refused, and the
    one who started it never sees the answer."""
    url = world.stack.verifier_url
    with httpx.Client(timeout=20) as starter, httpx.Client(timeout=20) as workers_browser:
        view, link = _same_device_check(world, starter)
        outcome = world.wallet.share(world.wallet.open_request(link, "en").id)
        assert outcome.redirect_uri is not None
        refused = workers_browser.get(outcome.redirect_uri)
        assert refused.status_code == 403 and PERSON.pid["family_name"] not in refused.text
        assert starter.get(f"{url}/api/requests/{view}/result").json() == {"status": "pending"}
        guessed = outcome.redirect_uri.split("response_code=")[0] + "response_code=guessed"
        assert starter.get(guessed).status_code == 403
        assert PERSON.pid["family_name"] not in starter.get(f"{url}/inspect/{view}/verdict").text


def test_an_integrators_same_device_request_returns_to_its_page_and_gives_the_verdict_for_the_code(
        world: World) -> None:
    """Through the API (an inspectorate's own portal): the wallet sends the browser back to the portal's
    redirect_uri, on an origin the operator allowed, with #response_code=; the portal gets the verdict
    only with that code."""
    with _replicas(world, 1, redirect_origins=["https://portal.example"]) as (verifier,):
        portal = Inspector(verifier, world.http)
        for body in ({"flow": "same_device"}, {"flow": "same_device", "redirect_uri": "https://evil.example/cb"},
                     {"flow": "same_device", "redirect_uri": "https://portal.example/cb#x"},
                     {"redirect_uri": "https://portal.example/cb"}, {"flow": "sideways"}):
            refused = world.http.post(f"{verifier}/api/requests", json={"profile": "pda1", **body})
            assert (refused.status_code, refused.json()["error"]) == (400, "invalid_request"), body
        request = portal.request("pda1", flow="same_device", redirect_uri="https://portal.example/cb")
        outcome = world.wallet.share(world.wallet.open_request(request["link"], "en").id)
        assert outcome.redirect_uri is not None
        back, code = outcome.redirect_uri.split("#response_code=")
        assert back == "https://portal.example/cb"
        assert portal.result(request) == {"status": "pending"}
        wrong = world.http.get(f"{verifier}{request['result_url']}", params={"response_code": "not-the-code"})
        assert (wrong.status_code, wrong.json()["error"]) == (403, "access_denied")
        result = world.http.get(f"{verifier}{request['result_url']}", params={"response_code": code}).json()
        assert result["verdict"]["verdict"] == "valid"
        assert result["verdict"]["person"]["family_name"] == PERSON.pid["family_name"]


def test_a_cross_device_answer_gets_no_redirect(world: World) -> None:
    request = world.inspector.request("pda1")
    outcome = world.wallet.share(world.wallet.open_request(request["link"], "en").id)
    assert outcome.redirect_uri is None


def test_only_signed_in_inspectors_start_checks_and_read_verdicts(world: World) -> None:
    """Else anyone could ask workers for their data in the inspectorate's name, with its certificate."""
    url = world.stack.verifier_url
    request = world.inspector.request("pda1")
    with httpx.Client(timeout=20) as stranger:
        for method, path, kwargs in (("POST", "/api/requests", {"json": {"profile": "pda1"}}),
                                     ("GET", request["result_url"], {}),
                                     ("GET", f"/api/requests/{request['transaction_id']}/proof", {}),
                                     ("POST", "/verify", {"json": {"nonce": "n", "audience": "a"}}),
                                     ("POST", "/api/offline/challenge", {}),
                                     ("POST", "/api/requests", {"json": {"profile": "pda1"},
                                                                "headers": {"Authorization": "Bearer clerk-guess"}})):
            response = stranger.request(method, f"{url}{path}", **kwargs)  # type: ignore[arg-type]
            assert response.status_code == 401, (path, response.text)
            assert response.json()["error"] == "invalid_token"
            assert response.headers["www-authenticate"].startswith("Bearer")
        for path in ("/", f"/inspect/{request['transaction_id']}", f"/inspect/{request['transaction_id']}/verdict",
                     "/offline"):
            page = stranger.get(f"{url}{path}")
            assert page.status_code == 303 and page.headers["location"].startswith("/login?next=%2F"), path
        # What the wallet needs stays open: the request object, the response_uri, health.
        assert stranger.get(request["request_uri"]).status_code == 200
        assert stranger.get(f"{url}/healthz").status_code == 200
        # The refusals are counted where operators look.
        assert 'status="401"' in stranger.get(f"{url}/metrics").text


def test_another_site_cannot_make_a_signed_in_inspectors_browser_start_checks_or_sign_out(world: World) -> None:
    """CSRF: the inspector's cookie goes with a form another site (or another port on this host, the
    same site to a browser) submits; such a POST is refused, while the wallet's answers stay open."""
    url = world.stack.verifier_url
    with httpx.Client(timeout=20) as browser:
        browser.post(f"{url}/login", data={"token": world.stack.inspector_token},
                     headers={"Sec-Fetch-Site": "same-origin"})
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                        {"Origin": "http://127.0.0.1:1"}):  # an older browser: the Origin alone
            for path, data in (("/inspect", {"profile": "pda1"}), ("/offline/prepare", {}), ("/logout", {})):
                refused = browser.post(f"{url}{path}", data=data, headers=headers)
                assert refused.status_code == 403, (path, headers, refused.status_code)
        started = browser.post(f"{url}/inspect", data={"profile": "pda1"}, headers={"Sec-Fetch-Site": "same-origin"})
        assert started.status_code == 303 and started.headers["location"].startswith("/inspect/")
    request = world.inspector.request("pda1")
    answer = httpx.post(f"{url}/responses/{_public_id(request)}", data={"error": "access_denied"},
                        headers={"Sec-Fetch-Site": "cross-site"})  # a wallet's page posting from anywhere
    assert answer.status_code != 403


def test_the_inspectors_pages_are_never_framed_and_run_only_their_own_scripts(world: World) -> None:
    with httpx.Client(timeout=20) as browser:
        for path in ("/login", "/"):
            page = browser.get(f"{world.stack.verifier_url}{path}", follow_redirects=True)
            policy = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
            assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"


def test_an_operator_adds_and_revokes_inspectors_without_a_restart(world: World) -> None:
    env = {**os.environ, "ESSPASS_DATA_DIR": str(world.stack.data_dir)}

    def tokens(*args: str) -> dict[str, str]:
        done = subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "tokens", *args], env=env,
                              capture_output=True, text=True, check=True)
        listed: dict[str, str] = json.loads(done.stdout)
        return listed

    token = tokens("--add", "maris.ozols")["maris.ozols"]
    url = f"{world.stack.verifier_url}/api/requests"
    with httpx.Client(timeout=20) as page:  # and signed in to the pages
        page.post(f"{world.stack.verifier_url}/login", data={"token": token})
        assert page.get(f"{world.stack.verifier_url}/offline").status_code == 200
        with httpx.Client(timeout=20, headers={"Authorization": f"Bearer {token}"}) as maris:
            assert maris.post(url, json={"profile": "pda1"}).status_code == 201
            assert "maris.ozols" not in tokens("--revoke", "maris.ozols")
            assert maris.post(url, json={"profile": "pda1"}).status_code == 401
        assert page.get(f"{world.stack.verifier_url}/offline").status_code == 303  # the session ended with it
    assert world.inspector.request("pda1")["transaction_id"]  # the others keep theirs


def test_an_inspector_signs_in_with_a_token_and_is_sent_only_to_this_site(world: World) -> None:
    url = world.stack.verifier_url
    with httpx.Client(timeout=20) as browser:
        wrong = browser.post(f"{url}/login", data={"token": "inspector-guess", "next": "/offline"})
        assert wrong.status_code == 401 and "inspector" not in browser.cookies
        off_site = browser.post(f"{url}/login", data={"token": world.stack.inspector_token,
                                                      "next": "https://evil.example/"})
        assert off_site.status_code == 303 and off_site.headers["location"] == "/"
        assert browser.get(f"{url}/offline").status_code == 200
        # The cookie is a session of the verifier's, not the token: no API call with it as Bearer.
        session = browser.cookies["inspector"]
        assert session != world.stack.inspector_token
        assert httpx.post(f"{url}/api/requests", json={"profile": "pda1"},
                          headers={"Authorization": f"Bearer {session}"}).status_code == 401
        assert browser.post(f"{url}/logout").status_code == 303
        assert browser.get(f"{url}/offline").status_code == 303
    with httpx.Client(timeout=20, cookies={"inspector": session}) as copied:  # a copy kept from before
        assert copied.get(f"{url}/offline").status_code == 303


def test_garbage_to_every_endpoint_is_a_4xx_json(world: World) -> None:
    request = world.inspector.request("pda1")
    url = world.stack.verifier_url
    for path, kwargs in ((f"/responses/{_public_id(request)}", {"content": b"\xff", "headers": {
            "Content-Type": "application/x-www-form-urlencoded"}}),
                         (f"/responses/{_public_id(request)}", {"data": {"response": "a.b.c.d.e"}}),
                         (f"/responses/{_public_id(request)}", {"data": {"vp_token": "{", "state": "x"}}),
                         ("/responses/unknown", {"data": {"vp_token": "{}"}}),
                         ("/verify", {"json": {"nonce": "n", "audience": "a", "presentation": "x~y~"}}),
                         ("/verify", {"content": b"[", "headers": {"Content-Type": "application/json"}}),
                         ("/api/requests", {"json": {"profile": "nothing"}}),
                         ("/api/requests", {"json": {"dcql_query": {"credentials": []}}}),
                         ("/api/offline/verify", {"json": {"qr": "HC1:NCFOXN"}})):
        response = world.http.post(f"{url}{path}", **kwargs)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert "error" in response.json()
    for path, status in ((f"/api/requests/{request['transaction_id']}/result?response_code=" + "x" * 100, 400),
                         (f"/api/requests/{request['transaction_id']}/result?response_code=%FF", 200),  # not asked
                         (f"/inspect/done/{_public_id(request)}", 403),
                         (f"/inspect/done/{_public_id(request)}?response_code=%00", 403),
                         ("/inspect/done/unknown?response_code=x", 403)):
        response = world.http.get(f"{url}{path}")
        assert response.status_code == status, (path, response.status_code, response.text)
    for body in ({"flow": "same_device", "redirect_uri": "http://[::1"}, {"flow": 7}, {"redirect_uri": ["x"]}):
        response = world.http.post(f"{url}/api/requests", json={"profile": "pda1", **body})
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", body
    damaged = world.http.post(f"{url}/api/offline/verify", json={"qr": "EP1:%%%"}).json()
    assert damaged["verdict"] == "invalid" and "damaged" in damaged["reason"]


def _payload() -> dict[str, Any]:
    """The nonce and audience that ``World.verify`` tells the machine API to expect."""
    return {"nonce": "n-123456789", "client_id": "x509_hash:test", "dcql_query": {"credentials": [
        {"id": "pda1", "claims": [{"path": [n]} for n in ("document_number", "legislation_country",
                                                          "status_confirmation", "starting_date", "ending_date",
                                                          "employer", "issuing_country")]},
        {"id": "pid", "claims": [{"path": [n]} for n in ("family_name", "given_name", "birthdate", "picture",
                                                         "personal_administrative_number", "issuing_country")]}]}}


def _live_status(world: World) -> status_list.StatusReference:
    ref = status_list.StatusReference.from_claim(world.held(pda1.VCT).status)
    return status_list.StatusReference(idx=(ref.idx + 1) % 131072, uri=ref.uri)


def _forge(key: Any, chain: list[Any], claims: dict[str, Any], module: Any, *, nonce: str,
           status: status_list.StatusReference | None = None) -> str:
    holder = generate_key()
    now = int(time.time())
    credential = sd_jwt_vc.issue_vc(vct=module.VCT, claims=claims, sd_paths=module.SD_PATHS,
                                    holder_jwk=public_jwk(holder), issuer_key=key, x5c=chain,
                                    iss="https://rogue.example", iat=now, nbf=now, exp=now + 86400,
                                    status=status or status_list.StatusReference(idx=1, uri="http://127.0.0.1:9/s/1"))
    paths = [(n,) for n in ("personal_administrative_number", "document_number", "legislation_country",
                            "status_confirmation", "starting_date", "ending_date", "employer", "issuing_country")
             if n in claims]
    return present(credential, select=paths, holder_key=holder, nonce=nonce, aud="x509_hash:test", iat=now)


MDOC_PDA1 = mdoc.DOCTYPES["pda1"]
#: The A1 alone (no PID): its Latvian personal code, which an identity document carries, ties it to the worker.
MDOC_QUERY = {"credentials": [{"id": "pda1", "format": "mso_mdoc", "meta": {"doctype_value": MDOC_PDA1},
                               "claims": [{"path": [MDOC_PDA1, name]} for name in
                                          ("document_number", "legislation_country", "starting_date", "ending_date",
                                           "date_of_expiry", "personal_administrative_number",
                                           "issuing_country")]}]}


def _mdoc_from_the_issuer(world: World, key: Any, config: str = "pda1",
                          claims: dict[str, Any] | None = None) -> bytes:
    """A third-party wallet taking a document as ISO mdoc (OpenID4VCI App. A.2) from the real issuer:
    ``claims``, or the demo person's (a PDA1 numbered by the issuer)."""
    entity, demo = {"pda1": (PERSON.pda1_issuer, unnumbered(A1)),
                    "pid": (PERSON.pid_provider, {**PERSON.pid, "picture": portrait(PERSON)})}[config]
    claims = claims or demo
    created = world.clerk.offer(entity, world.clerk.create_case(entity, config, claims,
                                                                None if config == "pid" else PERSON.holder))
    offer = world.http.get(created["credential_offer_uri"]).json()
    issuer = offer["credential_issuer"]
    # An instance of a wallet whose provider is on the registry's list (HAIP §9.2).
    provider_key, provider_chain = load_demo_pki(world.stack.data_dir / "pki").signers["LV:ESSPASS-WALLET"]
    instance = generate_key()
    attestation = client_attestation.attest(provider_key, provider_chain, client_id="third-party-wallet",
                                            instance_key=instance.public_key(), iat=int(time.time()), lifetime=300)
    pop = client_attestation.proof_of_possession(instance, audience=issuer, iat=int(time.time()))
    token = world.http.post(f"{issuer}/token", data={
        "grant_type": PRE_AUTH_GRANT, "tx_code": created["tx_code"],
        "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]},
        headers={client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop})
    assert token.status_code == 200, token.text
    nonce = world.http.post(f"{issuer}/nonce").json()["c_nonce"]
    proof = sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(key)}, {"aud": issuer, "iat": int(time.time()),
                                                                   "nonce": nonce}, key)
    response = world.http.post(f"{issuer}/credential", json={"credential_configuration_id": f"{config}_mdoc",
                                                             "proofs": {"jwt": [proof]}},
                               headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert response.status_code == 200, response.text
    return b64url_decode(response.json()["credentials"][0]["credential"])


def _mdoc_answer(world: World, request: dict[str, Any], held: dict[str, tuple[bytes, Any]], *,
                 nonce: str | None = None) -> None:
    """Answer with DeviceResponses (query id -> (IssuerSigned, device key)) for each query's elements."""
    payload = world.request_object(request)
    jwks = payload["client_metadata"]["jwks"]["keys"]
    transcript = mdoc.openid4vp_session_transcript(
        client_id=payload["client_id"], nonce=nonce or payload["nonce"],
        jwk_thumbprint=b64url_decode(jwk_thumbprint(jwks[0])) if jwks else None, response_uri=payload["response_uri"])
    queries = {q["id"]: q for q in payload["dcql_query"]["credentials"]}
    vp_token = {qid: [b64url_encode(mdoc.present(issued, select=[c["path"][1] for c in queries[qid]["claims"]],
                                                 device_key=key, session_transcript=transcript))]
                for qid, (issued, key) in held.items()}
    assert world.post(payload, vp_token).status_code == 200


def test_an_iso_mdoc_pda1_from_another_wallet_is_verified(world: World) -> None:
    """OpenID4VP with DCQL mso_mdoc: DeviceResponse over the OpenID4VPHandover transcript, same pipeline."""
    key = generate_key()
    issued = _mdoc_from_the_issuer(world, key)
    request = world.inspector.request(dcql_query=MDOC_QUERY)
    _mdoc_answer(world, request, {"pda1": (issued, key)})
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "valid", verdict
    steps = _steps(verdict)
    assert steps["pda1.issuer_authorised"] == steps["pda1.status"] == steps["pda1.key_binding"] == "passed"


def test_an_iso_mdoc_signed_for_another_nonce_is_refused(world: World) -> None:
    key = generate_key()
    issued = _mdoc_from_the_issuer(world, key)
    request = world.inspector.request(dcql_query=MDOC_QUERY)
    _mdoc_answer(world, request, {"pda1": (issued, key)}, nonce="a-nonce-of-another-request")
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "invalid" and _steps(verdict)["pda1.key_binding"] == "failed", verdict


def test_the_reference_wallet_holds_both_forms_and_answers_an_mdoc_request_with_its_mdoc(world: World) -> None:
    forms = {c.format for c in world.wallet.credentials() if c.vct == pda1.VCT}
    assert forms == {"dc+sd-jwt", "mso_mdoc"}
    assert len([c for c in world.wallet.cards("en") if c.vct == pda1.VCT]) == 1  # one card per document
    request = world.inspector.request(dcql_query=MDOC_QUERY)
    verdict = world.answer(request)
    assert verdict["verdict"] == "valid", verdict
    assert [c["query_id"] for c in verdict["credentials"]] == ["pda1"]
    assert world.wallet.log()[0].claims == ["document_number", "legislation_country", "starting_date", "ending_date",
                                            "date_of_expiry", "personal_administrative_number", "issuing_country"]
    profile = world.answer(world.inspector.request("pda1"))  # both forms asked: the wallet prefers the SD-JWT VC
    assert sorted(c["query_id"] for c in profile["credentials"]) == ["pda1", "pid"]


def test_the_reference_wallet_binds_its_access_tokens_to_a_dpop_key(world: World) -> None:
    """The issuer advertises DPoP (RFC 9449), so the wallet's tokens are DPoP-bound (HAIP 1.0)."""
    engine = make_engine(IssuerSettings(data_dir=world.stack.data_dir).db_url("issuer.db"))
    with engine.connect() as conn:
        bound = conn.execute(text("SELECT count(*) FROM issuer_tokens WHERE jkt IS NOT NULL")).scalar_one()
    engine.dispose()
    assert bound >= 3  # the PID, the PDA1 and the EHIC the fixture's wallet collected


def test_the_reference_wallet_proves_a_batch_of_keys_with_one_key_attestation(world: World) -> None:
    """The issuer takes ``attestation`` proofs (OpenID4VCI App. F.3), so the wallet sends its provider's
    attestation of all the batch's keys instead of one key proof per key (HAIP §9.3)."""
    events = world.clerk.case(PERSON.pda1_issuer, world.cases["pda1"])["events"]
    attested = [e for e in events if e["action"] == "keys_attested"]
    assert len(attested) == 2  # the SD-JWT VC and the ISO mdoc: one attestation each
    assert all("attestation proof" in e["reason"] and "iso_18045_basic" in e["reason"] for e in attested)
    copies = [c for c in world.wallet.credentials() if c.vct == pda1.VCT and c.format == "dc+sd-jwt"]
    bound = {json.dumps(parse(c.credential).issuer_jws.payload["cnf"]["jwk"], sort_keys=True) for c in copies}
    assert len(copies) == world.wallet.settings.batch_size > 1 and len(bound) == len(copies)


def _requests(world: World, routes: tuple[str, ...], statuses: tuple[str, ...]) -> float:
    """How many requests the issuer has answered on ``routes`` with one of ``statuses`` (its metrics)."""
    metrics = world.http.get(f"{world.stack.issuer_url}/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("esspass_http_requests_total{") and any(f'/{r}"' in line for r in routes)
               and any(f'status="{code}"' in line for code in statuses))


def _challenges(world: World) -> float:
    """How many requests the issuer has answered with 400 or 401 on its token and credential routes."""
    return _requests(world, ("token", "credential"), ("400", "401"))


def test_the_reference_wallet_proves_dpop_with_the_issuers_nonce_without_being_challenged(
        world: World, tmp_path: Path) -> None:
    """RFC 9449 §8: the issuer requires its nonce in DPoP proofs; the wallet takes the one the nonce
    endpoint hands out and keeps the newest it sees, so a collection costs no extra round trips."""
    case_id = world.clerk.create_case(PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1), PERSON.holder)
    offer = world.clerk.offer(PERSON.pda1_issuer, case_id)
    wallet = open_wallet(tmp_path / "phone", world.stack.registry_url, "pw", fast_kdf=True,
                         pki_dir=world.stack.data_dir / "pki")
    before, pop_challenges = _challenges(world), _requests(world, ("challenge",), ("200",))
    offer_id, _ = wallet.open_offer(offer["link"])
    assert wallet.accept_offer(offer_id, offer["tx_code"])
    wallet.http.close()
    # The first token request carries no nonce yet (nothing was fetched): one challenge, then none.
    assert _challenges(world) - before == 1
    # Its attestation PoP carried a challenge from the issuer (attestation-based client auth §8).
    assert _requests(world, ("challenge",), ("200",)) - pop_challenges == 1


def test_the_issuer_gives_documents_only_to_attested_wallets(world: World, tmp_path: Path) -> None:
    """The fixture's wallet collected its documents with its provider's attestation (the issuer's
    default policy requires one, HAIP §9.2); a wallet whose provider is not listed gets a plain refusal
    and the offer stays usable for the worker's genuine wallet."""
    case_id = world.clerk.create_case(PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1), PERSON.holder)
    offer = world.clerk.offer(PERSON.pda1_issuer, case_id)
    unattested = open_wallet(tmp_path / "phone", world.stack.registry_url, "pw", fast_kdf=True,
                             pki_dir=world.stack.data_dir / "pki")
    unattested.provider = None  # a wallet solution without a listed provider
    offer_id, _ = unattested.open_offer(offer["link"])
    with pytest.raises(ProtocolError) as refused:
        unattested.accept_offer(offer_id, offer["tx_code"])
    assert refused.value.error == "invalid_client"
    assert "attested" in refused.value.message
    genuine = open_wallet(tmp_path / "genuine", world.stack.registry_url, "pw", fast_kdf=True,
                          pki_dir=world.stack.data_dir / "pki")
    offer_id, _ = genuine.open_offer(offer["link"])
    assert genuine.accept_offer(offer_id, offer["tx_code"])
    unattested.http.close()
    genuine.http.close()
    # The institution sees which wallet solution took it and how its keys are kept (App. D).
    history = {e["action"]: e for e in world.clerk.case(PERSON.pda1_issuer, case_id)["events"]}
    assert history["wallet_authorised"]["actor"] == "wallet:esspass-reference-wallet"
    assert history["keys_attested"]["reason"].startswith("key storage iso_18045_basic; user authentication")


def test_the_wallet_accepts_a_code_only_from_the_institution_it_sent_the_worker_to(world: World,
                                                                                  tmp_path: Path) -> None:
    """RFC 9207 (iss) and RFC 6749 §10.12 (state) against mix-up and injected codes."""
    wallet = open_wallet(tmp_path / "phone", world.stack.registry_url, "pw", fast_kdf=True,
                         pki_dir=world.stack.data_dir / "pki")
    case_id = world.clerk.create_case(PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1), PERSON.holder)
    offer = world.clerk.offer(PERSON.pda1_issuer, case_id)
    offer_id, _ = wallet.open_offer(offer["link"])
    page = wallet.begin_authorization(offer_id, "http://127.0.0.1:9/receive/callback")
    assert parse_qs(urlsplit(page).query)["request_uri"][0].startswith("urn:ietf:params:oauth:request_uri:")
    (state,) = wallet._authorizations  # the state it sent in the pushed request
    with pytest.raises(NotFoundError):
        wallet.finish_authorization("someone-elses-state", code="x", iss=world.stack.issuer_url, error=None)
    with pytest.raises(ProtocolError, match="does not come from"):
        wallet.finish_authorization(state, code="x", iss="https://attacker.example", error=None)
    wallet.http.close()


def test_the_inspection_profile_takes_the_pda1_and_pid_as_iso_mdoc_too(world: World) -> None:
    """An mdoc-only wallet answers the default profile through its mso_mdoc credential_sets options."""
    pda1_key, pid_key = generate_key(), generate_key()
    a1 = renumbered(A1)
    held = {"pda1_mdoc": (_mdoc_from_the_issuer(world, pda1_key, claims=a1), pda1_key),
            "pid_mdoc": (_mdoc_from_the_issuer(world, pid_key, "pid"), pid_key)}
    request = world.inspector.request("pda1")
    _mdoc_answer(world, request, held)
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert verdict["person"]["family_name"] == PERSON.pid["family_name"] and verdict["person"]["picture"]
    assert verdict["person"]["documents"][0]["document_number"] == a1["document_number"]


def test_a_mixed_answer_missing_the_person_fails_the_query(world: World) -> None:
    key = generate_key()
    request = world.inspector.request("pda1")
    _mdoc_answer(world, request, {"pda1_mdoc": (_mdoc_from_the_issuer(world, key), key)})
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "invalid" and _steps(verdict)["query"] == "failed", verdict

# --- the inspector's pages: the result screen and its links, in the page's language -----------------


def _verdict_page(world: World, lang: str) -> str:
    """A PDA1 check the worker answers, and its verdict screen in ``lang``, shown for the first time
    (it then carries the person)."""
    request = world.inspector.request("pda1")
    _answer_at(world, request)
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict",
                          params={"lang": lang})
    assert page.status_code == 200, page.text
    return page.text


def _checks(page: str) -> list[str]:
    """The lines of the verdict screen's Checks list, as the inspector reads them."""
    block = page.split('<ul class="checks">', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", line)).strip()
            for line in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


@pytest.mark.parametrize("lang", ["fr", "de", "pl", "lv"])
def test_the_result_screens_checks_dates_and_institution_are_in_the_pages_language(world: World,
                                                                                    lang: str) -> None:
    """Each check is named in the page's language with its outcome, never a code; its sentence is
    the translation where one exists. The birth date is written out like the other dates, and the
    institution is named in the page's language where it is its own, else in English with its own name."""
    page = _verdict_page(world, lang)
    lines = _checks(page)
    assert len(lines) >= 9, lines
    for line in lines:
        for raw in ("coverage_period", "issuer_signature", "document_validity", "key_binding", "token_validity",
                    "pda1 ·", "pid ·", "Today lies", "The issuer's signature is genuine"):
            assert raw not in line, (lang, line)
    text = html.unescape(page)
    assert i18n.t("verifier.step.line", lang, name=i18n.t("verifier.step.coverage_period", lang),
                  text=i18n.t("verifier.step_passed.coverage_period", lang)) in text
    assert i18n.t("verifier.check.passed", lang) in text
    assert i18n.format_date(PERSON.pid["birthdate"], lang) in text and PERSON.pid["birthdate"] not in text
    institution = demo_entity(PERSON.pda1_issuer)
    issued_by = re.search(rf"<dt>{re.escape(i18n.t('verifier.issuer', lang))}</dt><dd>([^<]*)</dd>", text)
    assert issued_by is not None, text
    assert issued_by.group(1) == (institution.name if lang == "lv" else f"{institution.name_en} ({institution.name})")


def test_the_result_screen_gives_the_a1s_period_from_its_start_and_its_document_number(world: World) -> None:
    """The inspector needs the number for a report and for "Was this document checked?", and an A1
    that is not valid yet must say from when it applies."""
    text = html.unescape(_verdict_page(world, "en"))
    start, end = (i18n.format_date(A1[k], "en") for k in ("starting_date", "ending_date"))
    assert f"applies from {start} until {end}: Latvia" in text
    number = re.search(rf"<dt>{i18n.t('verifier.document_number', 'en')}</dt><dd[^>]*>([^<]*)</dd>", text)
    assert number is not None and number.group(1) == world.number("pda1")
    not_started = {"vct": pda1.VCT, "legislation_country": "LV", "starting_date": "2027-01-01",
                   "ending_date": "2027-09-30"}
    for lang in i18n.LANGUAGES:
        sentence = messages.describe_document(not_started, lang)
        assert i18n.format_date("2027-01-01", lang) in sentence and i18n.format_date("2027-09-30", lang) in sentence


def test_a_checks_sentence_is_the_translation_of_its_key_else_the_pipelines_english() -> None:
    """In English the pipeline's own sentence (it says the most); else the translation of the step's
    key, as for the verdict's reason, or of a passed check; a paper copy's tie to the holder is the
    paper's sentence; with no translation, the English sentence rather than nothing."""
    withdrawn = {"code": "status", "result": "failed", "message": "The institution has withdrawn this document.",
                 "key": "status.withdrawn"}
    assert messages.step_text(withdrawn, "de") == i18n.t("verifier.reason.status.withdrawn", "de")
    paper = {"code": "key_binding", "result": "passed",
             "message": "Paper document: check an identity document to confirm the holder."}
    assert messages.step_text(paper, "fr") == i18n.t("verifier.reason.paper", "fr")
    phone = {"code": "key_binding", "result": "passed", "message": "The phone holding the document's key signed."}
    assert messages.step_text(phone, "pl") == i18n.t("verifier.step_passed.key_binding", "pl")
    untranslated = {"code": "coverage_period", "result": "not_run",
                    "message": "The period of the A1 was not disclosed."}
    assert messages.step_text(untranslated, "lv") == untranslated["message"]
    assert messages.step_text(withdrawn | {"message": "Withdrawn on 1 May."}, "en") == "Withdrawn on 1 May."
    assert messages.step_name("coverage_period", "pl") == i18n.t("verifier.step.coverage_period", "pl")
    assert messages.step_name("something_new", "pl") == "something_new"


def test_an_unknown_or_expired_check_is_a_page_in_the_pages_language_and_the_api_keeps_json(world: World) -> None:
    url = world.stack.verifier_url
    for path in ("/inspect/doesnotexist", "/inspect/doesnotexist/verdict"):
        page = world.http.get(f"{url}{path}", params={"lang": "de"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
        assert i18n.t("verifier.unknown_check", "de") in html.unescape(page.text), path
        assert re.search(r'<a [^>]*href="/\?lang=de"[^>]*id="start-new"', page.text), path
        assert '"error"' not in page.text and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    api = world.http.get(f"{url}/api/requests/doesnotexist/result")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_the_same_device_return_link_opened_again_says_the_result_was_shown_not_another_browser(
        world: World) -> None:
    url = world.stack.verifier_url
    shown, elsewhere = i18n.t("verifier.error.already_shown", "en"), i18n.t("verifier.error.session", "en")
    with httpx.Client(timeout=20) as browser, httpx.Client(timeout=20) as workers_browser:
        _view, link = _same_device_check(world, browser)
        outcome = world.wallet.share(world.wallet.open_request(link, "en").id)
        assert outcome.redirect_uri is not None
        other = html.unescape(workers_browser.get(outcome.redirect_uri).text)
        assert elsewhere in other and shown not in other
        back = browser.get(outcome.redirect_uri)
        assert back.status_code == 303
        assert PERSON.pid["family_name"] in browser.get(f"{url}{back.headers['location']}").text
        again = browser.get(outcome.redirect_uri)
        assert again.status_code == 403 and PERSON.pid["family_name"] not in again.text
        assert shown in html.unescape(again.text) and elsewhere not in html.unescape(again.text)
        unknown = html.unescape(browser.get(f"{url}/inspect/done/unknown?response_code=x").text)
        assert i18n.t("verifier.unknown_check", "en") in unknown and elsewhere not in unknown


def test_the_list_ages_are_shown_only_when_the_check_consulted_the_lists(world: World) -> None:
    request = world.inspector.request("pda1")
    world.wallet.decline(world.wallet.open_request(request["link"], "en").id)
    declined = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict",
                              params={"lang": "en"}).text
    assert 'data-verdict="refused"' in declined
    assert 'class="freshness"' not in declined and "list age" not in declined
    assert '<ul class="checks">' not in declined  # nothing was checked: no empty list of checks either
    valid = _verdict_page(world, "en")
    assert re.search(r'<p class="freshness">Trust list age: \d+ min · status list age: \d+ min</p>', valid), valid


def test_the_same_device_check_is_offered_for_a_workers_wallet_on_the_inspectors_own_device(world: World) -> None:
    """The signed-in inspector's page: the QR code is the usual way; the other button is for a worker
    whose wallet is on this same device (a shared tablet or kiosk), since the result appears only in
    the browser that started the check. Its page says so, not "share your documents" to the inspector."""
    url = world.stack.verifier_url
    for lang in i18n.LANGUAGES:
        home = html.unescape(world.http.get(f"{url}/", params={"lang": lang}).text)
        assert i18n.t("verifier.start.same_device_help", lang) in home, lang
        assert i18n.t("verifier.start.same_device", lang) in home, lang
    with httpx.Client(timeout=20) as browser:
        view, _link = _same_device_check(world, browser)
        for lang in i18n.LANGUAGES:
            waiting = html.unescape(browser.get(f"{url}/inspect/{view}", params={"lang": lang}).text)
            assert i18n.t("verifier.same_device.for", lang) in waiting, lang
            assert "Share your documents" not in waiting
            assert re.search(r'<a [^>]*href="/\?lang=' + lang + r'"[^>]*id="start-new"', waiting), lang


# --- replicas: every verifier process shares the inspections through the database -------------------


@contextmanager
def _replicas(world: World, count: int, *, database_url: str | None = None,
              storage_key_file: Path | None = None, **settings: Any) -> Iterator[list[str]]:
    """``count`` more verifier replicas on the world's data directory, all answering under the last
    one's URL, as behind a load balancer: a request made on one is answered at another."""
    ports = [free_port() for _ in range(count)]
    front = f"http://127.0.0.1:{ports[-1]}"
    handles = [serve(verifier_app(VerifierSettings(
        data_dir=world.stack.data_dir, public_url=front, registry_url=world.stack.registry_url,
        database_url=database_url, storage_key_file=storage_key_file, **settings)), port=port) for port in ports]
    try:
        yield [h.url for h in handles]
    finally:
        for handle in handles:
            handle.stop()


def _answer_at(world: World, request: dict[str, Any]) -> None:
    consent = world.wallet.open_request(request["link"], "en")
    world.wallet.share(consent.id)


def _rows(world: World) -> list[Any]:
    engine = make_engine(f"sqlite:///{world.stack.data_dir / 'verifier.db'}")
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT id, status, sealed_key, sealed_person FROM verifier_transactions")))
    finally:
        engine.dispose()


def test_a_request_made_on_one_replica_is_answered_at_another_and_shown_on_a_third(world: World) -> None:
    with _replicas(world, 2) as (maker, front):
        request = Inspector(maker, world.http).request("pda1")
        assert request["request_uri"].startswith(front)  # the wallet fetches and answers at the other one
        _answer_at(world, request)
        verdict = world.inspector.result(request)["verdict"]  # the stack's own verifier shows it
    assert verdict["verdict"] == "valid", verdict
    assert verdict["person"]["family_name"] == PERSON.pid["family_name"]


@pytest.mark.postgres
def test_replicas_on_postgresql_share_inspections(world: World, postgres_url: str) -> None:
    with _replicas(world, 2, database_url=postgres_url) as (maker, front):
        request = Inspector(maker, world.http).request("pda1")
        _answer_at(world, request)
        result = Inspector(front, world.http).result(request)
    assert result["status"] == "done" and result["verdict"]["verdict"] == "valid", result


def test_two_replicas_take_the_same_answer_only_once(world: World) -> None:
    with _replicas(world, 2) as (first, second):
        request = Inspector(first, world.http).request("pda1", response_mode="direct_post")
        payload = world.request_object(request)
        form = openid4vp.build_response_form(payload, {"vp_token": world.vp_token(payload)})
        path = urlsplit(payload["response_uri"]).path
        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(lambda base: world.http.post(f"{base}{path}", data=form).status_code,
                                    (first, second)))
        assert codes == [200, 400]
        assert Inspector(first, world.http).result(request)["verdict"]["verdict"] == "valid"


def test_the_verifier_serves_with_several_worker_processes(world: World) -> None:
    """``esspass verifier serve --workers 2``: the inspections are in the database, so whichever
    worker the wallet's and the inspector's connections reach, every check completes."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ESSPASS_DATA_DIR": str(world.stack.data_dir), "ESSPASS_VERIFIER_PUBLIC_URL": url,
           "ESSPASS_VERIFIER_REGISTRY_URL": world.stack.registry_url}
    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "verifier", "serve", "--port", str(port),
                             "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.2)
        workers = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(workers) >= 2
        for _ in range(4):
            with httpx.Client(timeout=20, auth=world.http.auth) as inspector_connection:  # a new connection
                request = Inspector(url, inspector_connection).request("pda1")
                _answer_at(world, request)
                assert Inspector(url, inspector_connection).result(request)["verdict"]["verdict"] == "valid"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _document_ref(world: World, url: str) -> str:
    """One whole PDA1 check at the verifier ``url``; the document reference its proof records."""
    inspector = Inspector(url, world.http)
    request = inspector.request("pda1")
    _answer_at(world, request)
    proof = world.http.get(f"{url}{inspector.result(request)['proof_url']}").text
    return str(json.loads(b64url_decode(proof.split(".")[1]))["credentials"][0]["document_ref"])


def test_a_document_has_one_reference_in_every_proof_of_a_deployment(world: World, tmp_path: Path) -> None:
    """Replicas and workers share the key of document references: the inspectorate can tell that it
    checked the same document twice, and nobody else can recover the number from a proof."""
    with _replicas(world, 2) as (first, second):
        refs = {_document_ref(world, first), _document_ref(world, second), _document_ref(world,
                                                                                         world.stack.verifier_url)}
    assert len(refs) == 1 and world.number("pda1") not in refs.pop()
    load_storage_key(tmp_path / "another-deployment.key")  # an operator names a key file that exists
    with _replicas(world, 1, storage_key_file=tmp_path / "another-deployment.key") as (other,):
        assert _document_ref(world, other) != _document_ref(world, world.stack.verifier_url)


def test_a_pending_inspection_survives_a_verifier_restart(world: World) -> None:
    request = world.inspector.request("pda1")
    world.stack.restart_verifier()
    assert world.answer(request)["verdict"] == "valid"


def test_the_person_is_sealed_at_rest_and_erased_once_the_verdict_is_shown(world: World) -> None:
    request = world.inspector.request("pda1")
    _answer_at(world, request)
    row = next(r for r in _rows(world) if r.id == _public_id(request))
    assert row.status == "done"
    assert row.sealed_key is None  # the answer's decryption key goes with the answer
    assert row.sealed_person is not None
    stored = b"".join(p.read_bytes() for p in world.stack.data_dir.glob("verifier.db*"))
    assert PERSON.pid["family_name"].encode() not in stored
    assert world.number("pda1").encode() not in stored
    # Shown to a reader without a browser session (the inspectorate's system with its token): a signed-in
    # browser would see it again for a short grace (test_verifier_review_hostile.py), then it is erased too.
    with httpx.Client(timeout=20, auth=InspectorAuth(world.stack.inspector_token)) as system:
        page = system.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict")
    assert PERSON.pid["family_name"] in page.text
    row = next(r for r in _rows(world) if r.id == _public_id(request))
    assert row.sealed_person is None  # erased from the database, not only hidden
    assert world.inspector.result(request)["verdict"]["personal_data_removed"] is True


def test_a_replica_with_another_storage_key_cannot_read_inspections(world: World, tmp_path: Path) -> None:
    request = world.inspector.request("pda1")
    load_storage_key(tmp_path / "other.key")
    with _replicas(world, 1, storage_key_file=tmp_path / "other.key") as (stranger,):
        response = world.http.get(f"{stranger}{request['result_url']}")
        assert response.status_code == 404 and response.json()["error"] == "not_found"
        answer = world.http.post(f"{stranger}/responses/{_public_id(request)}", data={"response": "x"})
        assert answer.status_code == 404
    assert world.inspector.result(request)["status"] == "pending"



def test_the_institutions_page_opens_in_the_language_of_the_wallet(world: World, tmp_path: Path) -> None:
    """The wallet sends the worker's language with the browser (``ui_locales``, OpenID Connect Core
    §3.1.2.1): the institution's code page is in German for a wallet in German, whatever the browser's
    Accept-Language; a language chosen on the page itself (``?lang=``) still wins."""
    wallet = open_wallet(tmp_path / "phone", world.stack.registry_url, "pw", fast_kdf=True,
                         pki_dir=world.stack.data_dir / "pki")
    try:
        case_id = world.clerk.create_case(PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1), PERSON.holder)
        offer = world.clerk.offer(PERSON.pda1_issuer, case_id)
        offer_id, _ = wallet.open_offer(offer["link"])
        page = wallet.begin_authorization(offer_id, "http://127.0.0.1:9/receive/callback", "de")
        assert parse_qs(urlsplit(page).query)["ui_locales"] == ["de"]
        english_browser = {"Accept-Language": "en"}
        opened = world.http.get(page, headers=english_browser)
        chosen = world.http.get(page + "&lang=fr", headers=english_browser)
    finally:
        wallet.http.close()
    assert opened.status_code == 200 and '<html lang="de">' in opened.text, opened.text[:300]
    assert '<html lang="fr">' in chosen.text


def test_zz_offline_tolerance_with_registry_and_issuer_down(world: World) -> None:
    """Runs last: it stops the registry and the issuer of the module's stack."""
    assert world.answer(world.inspector.request("pda1"))["verdict"] == "valid"  # lists now cached
    world.stack.stop("registry")
    world.stack.stop("issuer")
    verdict = world.answer(world.inspector.request("pda1"))
    assert verdict["verdict"] == "valid", verdict
    assert verdict["trust_list_age_seconds"] is not None
    assert all(c["status_list_age_seconds"] is not None for c in verdict["credentials"])


@pytest.mark.parametrize(("max_age_days", "usable"), [(7, False), (30, True)])
def test_a_cached_trust_list_older_than_the_limit_is_not_used(tmp_path: Path, max_age_days: int,
                                                              usable: bool) -> None:
    """Offline with only an 8-day-old trust list: past ``trust_list_max_age`` the trust step cannot run."""
    now = datetime.now(UTC)
    listed_at = now - timedelta(days=8)
    pki = seed_data_dir(tmp_path, now=listed_at - timedelta(hours=1))
    engine = make_engine(RegistrySettings(data_dir=tmp_path).db_url("registry.db"))
    old_list = Registry(engine).build_list("issuers", listed_at)
    engine.dispose()
    cache = tmp_path / "verifier" / "trust-cache"
    cache.mkdir(parents=True)
    key, cert = pki.list_signer
    (cache / "issuers.jwt").write_text(trust_list.sign_trust_list(old_list, key=key, x5c=[cert]))
    settings = VerifierSettings(data_dir=tmp_path, registry_url=f"http://127.0.0.1:{free_port()}",  # nobody there
                                trust_list_max_age=max_age_days * 86400)
    service, http = build_service(settings)
    try:
        if usable:
            tl, age = service.issuers(now)
            assert tl is not None and age is not None and age > 7 * 86400
        else:
            with pytest.raises(IssuerTrustError, match="s allowed"):
                service.issuers(now)
    finally:
        http.close()



def test_no_page_loads_scripts_from_elsewhere_onto_the_inspectors_origin(world: World) -> None:
    """The interactive API docs fetch their script from a CDN: not on an origin that holds the
    inspector's cookie. The description of the API stays at /openapi.json."""
    with httpx.Client(timeout=20) as stranger:
        for path in ("/docs", "/redoc"):
            assert stranger.get(f"{world.stack.verifier_url}{path}").status_code in (303, 404), path
        assert stranger.get(f"{world.stack.verifier_url}/openapi.json").json()["info"]["title"] == "ESSPASS verifier"

