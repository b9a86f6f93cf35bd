"""Deferred issuance, the wallet against the real issuer over real HTTP (OpenID4VCI 1.0 §8.3 HTTP 202,
§9 Deferred Credential Endpoint, §11 notifications; RFC 6749 §6 refresh with RFC 9449 §5 DPoP).

The Latvian VSAA asks for a second clerk's approval (``approval=["LV:VSAA"]``): a clerk records
the case and makes the offer, the worker takes it at the counter, the issuer answers 202, and the
wallet keeps the pending issuance in its encrypted store. Asking before approval keeps it pending;
once another clerk approves (``IssuerService.approve_case``), the next question brings the document
through the receipt checks of an immediate issuance, it is stored and presented like any other,
and the issuer records the notification. A refusal drops it with the words the worker is shown;
an access token that expired while waiting is renewed with the refresh token (rotated, DPoP-bound),
and a refresh token the issuer refuses drops the entry. The CLI and the wallet page (in Debian's
headless Chromium) show the pending document and ask again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Response
from test_openid4vci_conformance import IDENTITY, _LosesAnswers

import wallet.service as wallet_service
from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Inspector, InspectorAuth, inspector_token, open_wallet, unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import build_service
from issuer.app import create_app as issuer_app
from issuer.db import DeferredTransaction, stored_hash
from issuer.service import IssuerService
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings
from verifier.app import create_app as verifier_app
from verifier.settings import VerifierSettings
from wallet.app import create_app as wallet_app
from wallet.deferred import Answer
from wallet.messages import pending_message
from wallet.service import PendingOutcome, WalletService
from wallet.settings import WalletSettings

ROOT = Path(__file__).resolve().parent.parent
PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
RECORDER = "clerk:LV:VSAA/janis"
APPROVER = "clerk:LV:VSAA/anna"


@dataclass
class World:
    data_dir: Path
    registry_url: str
    issuer_url: str
    verifier_url: str
    issuer: IssuerService

    def offer(self, path: str = "lv-vsaa", configuration: str = "pda1",
              claims: dict[str, Any] | None = None) -> tuple[str, str, str]:
        """A clerk records a case and makes its offer: (case id, link, tx_code)."""
        inst = self.issuer.institution(path)
        case = self.issuer.create_case(inst, configuration, claims or unnumbered(PERSON.pda1), actor=RECORDER
                                       if path == "lv-vsaa" else "clerk:LV:PMLP/ilze",
                                       holder=HOLDER if configuration != "pid" else None)
        offer = self.issuer.create_offer(inst, case.id, actor=RECORDER)
        return case.id, offer.link, offer.tx_code

    def approve(self, case_id: str) -> None:
        self.issuer.approve_case(self.issuer.institution("lv-vsaa"), case_id, actor=APPROVER)

    def refuse(self, case_id: str) -> None:
        self.issuer.refuse_case(self.issuer.institution("lv-vsaa"), case_id, actor=APPROVER,
                                reason="the employer is not registered")

    def case(self, case_id: str) -> dict[str, Any]:
        return self.issuer.get_case(self.issuer.institution("lv-vsaa"), case_id)

    def wallet(self, home: str) -> WalletService:
        wallet: WalletService = open_wallet(self.data_dir / home, self.registry_url, "pw", fast_kdf=True,
                                            pki_dir=self.data_dir / "pki")
        return wallet


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("deferred")
    rp, ip, vp = free_port(), free_port(), free_port()
    urls = f"http://127.0.0.1:{rp}", f"http://127.0.0.1:{ip}", f"http://127.0.0.1:{vp}"
    seed_data_dir(data_dir, issuer_url=urls[1])
    handles: list[ServerHandle] = []
    try:
        handles.append(serve(registry_app(RegistrySettings(data_dir=data_dir)), port=rp))
        settings = IssuerSettings(data_dir=data_dir, public_url=urls[1], registry_url=urls[0], approval=["LV:VSAA"],
                                  deferred_interval=5)
        service = build_service(settings)
        handles.append(serve(issuer_app(settings, service=service), port=ip))
        handles.append(serve(verifier_app(VerifierSettings(data_dir=data_dir, public_url=urls[2],
                                                           registry_url=urls[0])), port=vp))
        yield World(data_dir, *urls, service)
    finally:
        for handle in reversed(handles):
            handle.stop()


def second_question_raises(wallet: WalletService, monkeypatch: pytest.MonkeyPatch,
                           error: BaseException) -> PendingOutcome:
    """``wallet`` asks about its pending document (approved: both forms are ready) with the round's
    second question raising ``error`` instead, once the first form has arrived: what that round came
    to (or ``error``, when it goes through). The real questions are asked again afterwards."""
    real = wallet_service.poll_deferred  # type: ignore[attr-defined] # the name the service calls, patched here
    calls: list[int] = []

    def second_fails(*args: Any, **kwargs: Any) -> Answer:
        calls.append(1)
        if len(calls) == 2:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(wallet_service, "poll_deferred", second_fails)
    try:
        [first] = wallet.fetch_pending(force=True)
    finally:
        monkeypatch.setattr(wallet_service, "poll_deferred", real)
    return first


@contextmanager
def pending_page(world: World, home: str, browser: Any) -> Iterator[tuple[Any, str]]:
    """The wallet page of ``home`` in the browser, as wide as a small phone, unlocked and showing its
    pending documents: (the browser page, the wallet's address)."""
    settings = WalletSettings(data_dir=world.data_dir / home, registry_url=world.registry_url,
                              pki_dir=world.data_dir / "pki", allow_loopback_http=True, scrypt_n=2**10, lang="en")
    with serve(wallet_app(settings)) as server:
        page = browser.new_page()
        try:
            page.set_viewport_size({"width": 320, "height": 640})
            page.goto(server.url + "/")
            page.fill("#passphrase", "pw")
            page.click("#unlock")
            page.wait_for_selector("#pending")
            yield page, server.url
        finally:
            page.close()


def test_approved_later_the_document_arrives_and_is_like_any_other(world: World) -> None:
    wallet = world.wallet("approved")
    # The worker's PID, from a provider that needs no approval: issued at once, as before.
    _pid_case, link, tx = world.offer("lv-pid", "pid", PERSON.pid)
    assert wallet.accept(wallet.open_offer(link)[0], tx).groups

    case_id, link, tx = world.offer()
    offer_id, _offer = wallet.open_offer(link)
    received = wallet.accept(offer_id, tx)
    assert received.groups == [] and len(received.pending) == 1  # 202: nothing stored as a credential
    assert len(wallet.cards("en")) == 1  # the PID only
    [waiting] = wallet.pending("en")
    assert waiting.id == received.pending[0]
    assert waiting.issuer_name == "Valsts sociālās apdrošināšanas aģentūra (State Social Insurance Agency)"  # listed
    assert any("A1" in title for title in waiting.titles) and waiting.asked_at
    stored = wallet.store.read()["pending"][0]
    assert stored["refresh_token"] and stored["dpop_key"] and stored["token_type"] == "DPoP"
    assert all(len(t["keys"]) >= 1 for t in stored["transactions"])
    assert {t["format"] for t in stored["transactions"]} == {"dc+sd-jwt", "mso_mdoc"}  # both forms wait

    # Not due yet (the issuer's interval), then asked anyway: still awaiting the second clerk.
    assert wallet.fetch_pending() == []
    [still] = wallet.fetch_pending(force=True)
    assert still.outcome == "pending" and not still.detail
    assert [p.id for p in wallet.pending("en")] == [waiting.id]
    assert not [e for e in world.case(case_id)["events"] if e["action"] == "approved"]

    world.approve(case_id)
    [done] = wallet.fetch_pending(force=True)
    assert done.outcome == "received" and len(done.groups) == 1, done
    assert wallet.pending("en") == [] and wallet.store.read()["pending"] == []
    card = wallet.card(done.groups[0], "en")
    assert "A1" in card.title
    forms = {c.format for c in wallet.credentials() if c.group == card.group}
    assert forms == {"dc+sd-jwt", "mso_mdoc"}  # one card: both forms, checked to agree
    records = world.case(case_id)["credential_records"]
    assert records and all(r["notification"] == "credential_accepted" for r in records)
    assert "approved" in pending_message(done.outcome, done.issuer_name, done.titles, done.detail, "en")

    # It presents and verifies as any document does.
    with httpx.Client(timeout=20, auth=InspectorAuth(inspector_token(world.data_dir))) as http:
        inspector = Inspector(world.verifier_url, http)
        request = inspector.request("pda1")
        consent = wallet.open_request(request["link"], "en")
        assert consent.satisfiable
        assert wallet.share(consent.id).outcome == "shared"
        assert inspector.result(request)["verdict"]["verdict"] == "valid"
    assert wallet.check_status(card.group).value == "valid"


def test_a_202_lost_on_its_way_is_asked_again_and_the_document_arrives_once_approved(world: World) -> None:
    """The issuer's 202 lost once on its way to the wallet (a dropped connection after it deferred): the
    wallet asks again (a fresh c_nonce, new proofs of the same keys) and is given the same
    transaction_id, no second deferral recorded; a second clerk approves, and the wallet's question to
    the deferred credential endpoint brings the document, which the worker would otherwise have needed
    a new offer for."""
    wallet = world.wallet("lost-202")
    transport = _LosesAnswers(times=1)
    wallet.http = httpx.Client(transport=transport, timeout=20, headers=IDENTITY, follow_redirects=False)
    try:
        case_id, link, tx = world.offer()
        received = wallet.accept(wallet.open_offer(link)[0], tx)
        assert transport.lost == [202]  # the SD-JWT VC's deferral, lost; the mdoc's arrived
        assert received.groups == [] and len(received.pending) == 1
        waiting = wallet.store.read()["pending"][0]["transactions"]
        with world.issuer.sessions() as s:
            recorded = s.scalars(sa.select(DeferredTransaction.id_hash)
                                 .where(DeferredTransaction.case_id == case_id)).all()
        # The id the wallet holds for each form is the one the issuer gave first: one deferral per form.
        assert sorted(recorded) == sorted(stored_hash(t["transaction_id"]) for t in waiting) and len(recorded) == 2
        assert [e["action"] for e in world.case(case_id)["events"]].count("deferred") == 2

        world.approve(case_id)
        [done] = wallet.fetch_pending(force=True)
        assert done.outcome == "received" and len(done.groups) == 1, done
        forms = {c.format for c in wallet.credentials() if c.group == done.groups[0]}
        assert forms == {"dc+sd-jwt", "mso_mdoc"}
        records = world.case(case_id)["credential_records"]
        assert records and all(r["notification"] == "credential_accepted" for r in records)
    finally:
        wallet.http.close()


def test_refused_by_the_institution_the_entry_is_dropped_with_words(world: World) -> None:
    wallet = world.wallet("refused")
    case_id, link, tx = world.offer()
    assert wallet.accept(wallet.open_offer(link)[0], tx).pending
    world.refuse(case_id)
    [out] = wallet.fetch_pending(force=True)
    assert out.outcome == "refused" and out.groups == ()
    assert wallet.pending("en") == [] and wallet.credentials() == []
    text = pending_message(out.outcome, out.issuer_name, out.titles, out.detail, "en")
    assert "refused to issue" in text and out.issuer_name in text
    assert "atteica" in pending_message(out.outcome, out.issuer_name, out.titles, out.detail, "lv")


def test_an_expired_access_token_is_refreshed_and_a_refused_refresh_drops_the_entry(world: World) -> None:
    wallet = world.wallet("refresh")
    ttl = world.issuer.token_ttl
    world.issuer.token_ttl = 2  # the issuer's own setting: tokens that end while the case waits
    try:
        case_id, link, tx = world.offer()
        assert wallet.accept(wallet.open_offer(link)[0], tx).pending
        before = wallet.store.read()["pending"][0]
        time.sleep(3)
        [still] = wallet.fetch_pending(force=True)  # 401 invalid_token -> refresh once -> asked again
        assert still.outcome == "pending" and not still.detail, still
        after = wallet.store.read()["pending"][0]
        assert after["access_token"] != before["access_token"]
        assert after["refresh_token"] != before["refresh_token"]  # rotated, and the new one kept at once
        world.approve(case_id)
        time.sleep(3)  # the refreshed token has ended too
        [done] = wallet.fetch_pending(force=True)
        assert done.outcome == "received", done
        assert any(r["notification"] == "credential_accepted" for r in world.case(case_id)["credential_records"])

        # A refresh token the issuer no longer accepts: nothing more can be asked, the entry goes.
        case_id, link, tx = world.offer()
        assert wallet.accept(wallet.open_offer(link)[0], tx).pending
        with wallet.store.transaction() as doc:
            doc["pending"][0]["refresh_token"] = "not-a-refresh-token"
        time.sleep(3)
        [gone] = wallet.fetch_pending(force=True)
        assert gone.outcome == "expired" and wallet.pending("en") == []
        assert "could not be renewed" in pending_message(gone.outcome, gone.issuer_name, gone.titles, gone.detail,
                                                         "en")
    finally:
        world.issuer.token_ttl = ttl


def test_an_unreachable_deferred_endpoint_keeps_the_entry(world: World) -> None:
    """Network trouble is no answer: the entry stays, asked again after the interval."""
    wallet = world.wallet("unreachable")
    _case_id, link, tx = world.offer()
    assert wallet.accept(wallet.open_offer(link)[0], tx).pending
    with wallet.store.transaction() as doc:
        doc["pending"][0]["deferred_endpoint"] = f"http://127.0.0.1:{free_port()}/lv-vsaa/deferred_credential"
    [out] = wallet.fetch_pending(force=True, seconds=3)
    assert out.outcome == "pending" and out.detail
    [kept] = wallet.pending("en")
    assert kept.last_error and kept.next_poll > kept.asked_at


def _env(world: World, home: str) -> dict[str, str]:
    return {**os.environ, "ESSPASS_DATA_DIR": str(world.data_dir / home),
            "ESSPASS_WALLET_PKI_DIR": str(world.data_dir / "pki"), "ESSPASS_REGISTRY_URL": world.registry_url,
            "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true", "ESSPASS_WALLET_SCRYPT_N": "1024",
            "ESSPASS_WALLET_PASSPHRASE": "correct horse battery"}


def test_the_terminal_says_it_waits_lists_it_and_fetches_it(world: World) -> None:
    env = _env(world, "terminal")

    def wallet(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "esspass.cli", "wallet", "--lang", "en", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)

    assert wallet("init").returncode == 0
    case_id, link, tx = world.offer()
    received = wallet("receive", link, "--tx-code", tx)
    assert received.returncode == 0, received.stderr
    assert "must approve this document first" in received.stdout and "Document added" not in received.stdout
    listing = wallet("pending")
    assert listing.returncode == 0 and "Waiting for" in listing.stdout and "to approve" in listing.stdout
    assert "next check after" in listing.stdout
    asked = wallet("fetch-pending", "--now")
    assert asked.returncode == 0 and "has not approved" in asked.stdout, asked.stderr
    world.approve(case_id)
    fetched = wallet("fetch-pending", "--now")
    assert fetched.returncode == 0 and "it is now in your wallet" in fetched.stdout, fetched.stderr
    assert "No documents are waiting" in wallet("pending").stdout
    assert "A1" in wallet("list").stdout


@pytest.mark.browser
def test_the_page_shows_the_pending_document_and_checks_now(world: World, browser: Any) -> None:
    wallet = world.wallet("web")
    case_id, link, tx = world.offer()
    assert wallet.accept(wallet.open_offer(link)[0], tx).pending
    wallet.http.close()
    with pending_page(world, "web", browser) as (page, url):
        text = page.inner_text("#pending")
        assert "Waiting for" in text and "to approve" in text and "asked" in text
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        button = page.locator(".check-now")
        assert button.inner_text() == "Check now"
        button.click()
        page.wait_for_selector("#pending-notices")
        assert "has not approved" in page.inner_text("#pending-notices")
        world.approve(case_id)
        page.locator(".check-now").click()
        page.wait_for_selector("#pending-notices [data-outcome=received]")
        assert page.locator("#pending").count() == 0
        assert page.locator("a.card.doc").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.goto(url + "/lang/lv?next=/")
        assert page.locator("a.card.doc").count() == 1


#: What an institution's server gone wrong answers at the deferred endpoint, and what the wallet makes of it.
HOSTILE: list[tuple[str, int, bytes, str, str]] = [
    # name, status, body, content type, outcome
    ("not json", 200, b"<html>approved</html>", "text/html", "pending"),
    ("no credentials", 200, b'{"credentials": []}', "application/json", "pending"),
    ("too many", 200, b'{"credentials": [' + b",".join([b'{"credential": "x~"}'] * 50) + b"]}", "application/json",
     "pending"),
    ("another transaction", 202, b'{"transaction_id": "someone-else", "interval": 5}', "application/json", "pending"),
    ("redirect", 302, b"", "text/plain", "pending"),
    ("unknown error", 400, b'{"error": "invalid_credential_request"}', "application/json", "pending"),
    ("server error", 500, b"", "text/plain", "pending"),
    ("a huge interval", 202, b'{"interval": 1000000000000}', "application/json", "pending"),
    ("not a credential", 200, b'{"credentials": [{"credential": "not-an-sd-jwt~"}]}', "application/json", "failed"),
]


@pytest.mark.parametrize(("name", "status", "body", "ctype", "outcome"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_deferred_endpoint_gone_wrong_is_a_clear_outcome_never_a_crash(
        world: World, name: str, status: int, body: bytes, ctype: str, outcome: str) -> None:
    app = FastAPI()

    @app.post("/deferred_credential")
    def answer() -> Response:
        headers = {"Location": "https://elsewhere.example/"} if status == 302 else {}
        return Response(body, status_code=status, media_type=ctype, headers=headers)

    wallet = world.wallet(f"hostile-{name.replace(' ', '-')}")
    _case_id, link, tx = world.offer()
    assert wallet.accept(wallet.open_offer(link)[0], tx).pending
    with serve(app) as server:
        with wallet.store.transaction() as doc:
            doc["pending"][0]["deferred_endpoint"] = f"{server.url}/deferred_credential"
        [out] = wallet.fetch_pending(force=True, seconds=5)
    assert out.outcome == outcome and bool(out.detail) == (name != "a huge interval"), out
    assert wallet.credentials() == []  # nothing half-kept
    if outcome == "pending":
        [kept] = wallet.pending("en")
        assert bool(kept.last_error) == (name != "a huge interval")
        # An issuer saying 10^12 seconds is still asked within a day.
        assert datetime.fromisoformat(kept.next_poll) - datetime.fromisoformat(kept.asked_at) <= timedelta(days=1,
                                                                                                          minutes=1)
    else:
        assert wallet.pending("en") == []
