"""The wallet renews its copies of a current document without a new offer (HAIP 1.0 §4: refresh tokens for
credential refresh; OpenID4VCI 1.0 §6.2, RFC 6749 §6 with rotation, RFC 9449 §5 DPoP binding).

A copy ends at the earlier of its document's end and the institution's signer certificate's. The
issuer gives a DPoP-bound wallet a refresh token with its first access token, living until the
document's end; the wallet keeps it (with its DPoP key, in its encrypted store) and, when the copies
come close to their end, or the worker asks ("Renew copies", ``esspass wallet renew``), refreshes the
grant and asks for new copies with fresh keys and proofs. They replace the old copies only once they
pass every receipt check. Over real HTTP (registry, issuer and verifier in-process); the wallet's clock
is its injected one, moved only within the services' clock skew.

Each test is named after the requirement it holds, or the attack it refuses.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from test_issuer_protocol import PROVIDER, _dpop

from credentials import client_attestation, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import MalformedError, ProtocolError
from credentials.i18n import LANGUAGES
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import b64url_decode, generate_key, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT
from credentials.pki import (
    BACKDATE,
    LEAF_VALIDITY,
    ensure_demo_pki,
    issue_document_signer,
    load_demo_pki,
    write_certificates,
    write_private_key,
)
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process, wallet_holding
from esspass.testing import serve
from issuer.app import MIGRATIONS
from issuer.app import create_app as issuer_app
from issuer.db import RefreshToken, stored_hash, utc
from issuer.institutions import demo_institutions
from issuer.service import IssuerService, document_end
from issuer.settings import IssuerSettings
from trust_registry.store import Registry
from wallet import messages, renewal
from wallet.errors import NoRenewalError
from wallet.model import StoredCredential
from wallet.renewal import RenewalGrant
from wallet.service import NO_RENEWAL, RenewalOutcome, WalletService, renewal_words, utcnow
from wallet.settings import WalletSettings
from wallet.store import WalletStore

VSAA = "LV:VSAA"
#: The wallet's notice window (WalletSettings.copies_notice_days, by default).
NOTICE = timedelta(days=30)
#: How far the short signer's end lies beyond the notice window when it is made: the wallet stands outside
#: the window at first, and moving its clock into it stays within the services' 60 s clock skew.
BEYOND = timedelta(seconds=50)
#: When the signer of :class:`World`'s institution ends, from when the world begins: its copies end then,
#: within the issuer's renewal notice (``issuer.service.RENEWAL_NOTICE``, 30 days). The issuer renews
#: copies only when they are due (or once a day, or under a new signer; review J, M1): these are due
#: from the start, so the tests renew them on demand, again and again, under the services' real clocks.
DUE = timedelta(days=20)


def _worker() -> Any:
    """The first demo person, with an A1 current for most of a year from today (the issuer's dates are
    the real ones), so that copies ending with a short-lived signer end well before the document."""
    today = datetime.now(UTC).date()
    a1 = {**DEMO_PERSONS[0].pda1, "date_of_issuance": today.isoformat(),
          "starting_date": (today - timedelta(days=30)).isoformat(),
          "ending_date": (today + timedelta(days=300)).isoformat()}
    return replace(DEMO_PERSONS[0], pda1=a1)


def _signer(data_dir: Path, ends: datetime) -> tuple[Any, x509.Certificate]:
    """A new LV:VSAA document signer under its demo CA ending at ``ends`` (the demo PKI's leaf maker)."""
    pki = load_demo_pki(data_dir / "pki")
    ca_key, ca = pki.cas[VSAA]
    return issue_document_signer(demo_entity(VSAA), ca_key, ca, now=ends - LEAF_VALIDITY + BACKDATE)


def _sign_with(data_dir: Path, key: Any, cert: x509.Certificate) -> None:
    """The operator puts the signer in place (the issuer reads it when it starts)."""
    directory = data_dir / "pki" / "entities" / demo_entity(VSAA).path
    write_private_key(directory / "signer.key", key)
    write_certificates(directory / "signer.pem", [cert])


def _list_signer(data_dir: Path, cert: x509.Certificate) -> None:
    """The registry lists a further document signer of LV:VSAA (before the institution signs with it)."""
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    engine = make_engine(f"sqlite:///{data_dir / 'registry.db'}")
    try:
        Registry(engine).add_certificate(VSAA, pem, "signer", who="operator")
    finally:
        engine.dispose()


def _restart_issuer(stack: Stack) -> None:
    """The operator restarts the issuer (same address, database and keys on disk)."""
    stack.stop("issuer")
    stack.handles["issuer"] = serve(issuer_app(IssuerSettings(
        data_dir=stack.data_dir, public_url=stack.issuer_url, registry_url=stack.registry_url)),
        port=urlsplit(stack.issuer_url).port or 0)


def _a1(wallet: WalletService) -> str:
    return next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)


def _copies(wallet: WalletService, group: str) -> list[StoredCredential]:
    return [c for c in wallet.credentials() if c.group == group]


def _leaf(copy: StoredCredential) -> bytes:
    """The DER of the signer certificate an SD-JWT VC copy carries (``x5c`` of its protected header:
    standard base64, RFC 7515 §4.1.6)."""
    header = json.loads(b64url_decode(copy.credential.split(".")[0]))
    return base64.b64decode(header["x5c"][0])


def _indexes(copies: list[StoredCredential]) -> set[tuple[str, int]]:
    """The status list entries (draft-ietf-oauth-status-list §6.2 ``status_list``) of ``copies``."""
    entries = [c.status["status_list"] for c in copies if c.status]
    assert len(entries) == len(copies)
    return {(e["uri"], e["idx"]) for e in entries}


def _grant(wallet: WalletService, group: str) -> dict[str, Any]:
    grant: dict[str, Any] = wallet.store.read()["renewals"][group]
    return grant


def _newest_case(clerk: Clerk) -> dict[str, Any]:
    """The newest LV:VSAA case with its history, as a clerk reads it."""
    found = clerk.http.get(f"{clerk.url}/lv-vsaa/api/cases", headers={"Authorization": f"Bearer {clerk.tokens[VSAA]}"})
    found.raise_for_status()
    return clerk.case(VSAA, str(found.json()[0]["id"]))


def _present(stack: Stack, http: httpx.Client, wallet: WalletService) -> dict[str, Any]:
    inspector = Inspector(stack.verifier_url, http)
    request = inspector.request("pda1")
    wallet.share(wallet.open_request(request["link"], "en").id)
    verdict: dict[str, Any] = inspector.result(request)["verdict"]
    return verdict


# --- end to end: the copies renewed before they end, under the institution's new signer --------------


def test_copies_ending_before_the_document_are_renewed_by_themselves_under_the_new_signer_and_verify_valid(
        tmp_path: Path) -> None:
    """The institution signs under a certificate ending a month from now; the A1 runs most of a year. The
    operator lists a new signer and restarts the issuer with it; once the wallet's clock is within the
    notice window, showing the cards renews the A1's copies by themselves: new signer, later end, fresh
    status entries, a ``renewed`` event in the case history, and the inspector finds it valid."""
    started = datetime.now(UTC)
    ensure_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=started)
    ends = started.replace(microsecond=0) + NOTICE + BEYOND
    _sign_with(tmp_path, *_signer(tmp_path, ends))  # listed when the registry is seeded
    new_key, new_cert = _signer(tmp_path, started + LEAF_VALIDITY - BACKDATE)
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        _list_signer(tmp_path, new_cert)  # listed ahead of the rotation, as an operator does
        wallet = wallet_holding(stack, tmp_path, http, _worker())
        try:
            group = _a1(wallet)
            old = _copies(wallet, group)
            assert {c.exp for c in old} == {int(ends.timestamp())}  # ended with the signer, not the document
            assert _grant(wallet, group)["refresh_token"]  # the issuer gave a DPoP-bound wallet its grant
            # Outside the window (the real clock): nothing to renew, and the card does not speak of it yet.
            assert wallet.renew_due() == []
            assert wallet.card(group, "en").copies_end_on is None
            _sign_with(tmp_path, new_key, new_cert)
            _restart_issuer(stack)
            # The wallet's clock within the notice window: the card says when the copies end, and the
            # cards page renews them by itself.
            into = ends - NOTICE + timedelta(seconds=5) - datetime.now(UTC)
            assert timedelta(0) < into < timedelta(seconds=55)
            wallet.clock = lambda: utcnow() + into
            assert wallet.card(group, "en").copies_end_on is not None
            outcomes = wallet.renew_due(seconds=10, budget=30)
            assert [(o.group, o.outcome) for o in outcomes] == [(group, "renewed")], outcomes
            wallet.clock = utcnow
            new = _copies(wallet, group)
            assert len(new) == len(old) and not {c.id for c in new} & {c.id for c in old}
            sd_jwt = [c for c in new if c.format == "dc+sd-jwt"]
            assert sd_jwt and all(_leaf(c) == new_cert.public_bytes(serialization.Encoding.DER) for c in sd_jwt)
            assert all(c.exp is not None and c.exp > int(ends.timestamp()) for c in new)
            assert not _indexes(new) & _indexes(old)  # standards §3: fresh indexes for re-issued copies
            assert wallet.card(group, "en").copies_end_on is None
            assert renewal.why_due(new, utcnow(), date.today(), notice=NOTICE) is None
            case = _newest_case(Clerk(stack.issuer_url, tmp_path, http))
            assert case["claims"]["document_number"] == new[0].claims["document_number"]
            renewed = [e for e in case["events"] if e["action"] == "renewed"]
            assert renewed and all(e["actor"] == "wallet:esspass-reference-wallet" for e in renewed)
            assert _present(stack, http, wallet)["verdict"] == "valid"
        finally:
            wallet.http.close()


# --- a stack whose institution signs as usual, for the other paths -------------------------------------


@dataclass
class World:
    stack: Stack
    http: httpx.Client
    clerk: Clerk

    def wallet(self, home: str) -> tuple[WalletService, str, str]:
        """A new wallet holding a new A1 of the worker: (wallet, its card, the case id); its copies end
        with the institution's signer, :data:`DUE` from when the world began."""
        wallet: WalletService = open_wallet(self.stack.data_dir / home, self.stack.registry_url, "pw",
                                            fast_kdf=True, pki_dir=self.stack.data_dir / "pki")
        a1 = {k: v for k, v in _worker().pda1.items() if k != "document_number"}
        case_id = self.clerk.hand_over(wallet, VSAA, "pda1", a1, _worker().holder)
        return wallet, _a1(wallet), case_id

    def events(self, case_id: str) -> list[str]:
        return [e["action"] for e in self.clerk.case(VSAA, case_id)["events"]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The stack whose LV:VSAA signs under a certificate ending :data:`DUE` from now (the copies due)."""
    data_dir = tmp_path_factory.mktemp("renewal")
    started = datetime.now(UTC)
    ensure_demo_pki(data_dir / "pki", DEMO_ENTITIES, now=started)
    _sign_with(data_dir, *_signer(data_dir, started.replace(microsecond=0) + DUE))  # listed when seeded
    with start_in_process(data_dir) as stack, httpx.Client(timeout=30) as http:
        yield World(stack, http, Clerk(stack.issuer_url, data_dir, http))


def test_renew_on_demand_replaces_the_copies_with_fresh_ones_of_the_same_document(world: World) -> None:
    wallet, group, case_id = world.wallet("demand")
    try:
        old = _copies(wallet, group)
        out = wallet.renew(group)
        assert out.outcome == "renewed" and out.until and out.detail == "", out
        new = _copies(wallet, group)
        assert {c.format for c in new} == {c.format for c in old} and len(new) == len(old)
        assert not _indexes(new) & _indexes(old) and not {c.private_key for c in new} & {c.private_key for c in old}
        assert all(c.claims["document_number"] == old[0].claims["document_number"] for c in new)
        assert world.events(case_id).count("renewed") == 2  # the SD-JWT VC and the ISO mdoc responses
        # Renewed again: the rotated refresh token was kept, and each renewal gives new copies.
        assert wallet.renew(group).outcome == "renewed"
        assert not _indexes(_copies(wallet, group)) & _indexes(new)
    finally:
        wallet.http.close()


def test_a_withdrawn_document_is_not_renewed_its_grant_is_gone_and_the_wallet_says_ask_for_a_new_offer(
        world: World) -> None:
    wallet, group, case_id = world.wallet("withdrawn")
    try:
        held = [c.credential for c in _copies(wallet, group)]
        world.clerk.set_state(VSAA, case_id, "revoke", "posting cancelled")
        out = wallet.renew(group)
        assert out.outcome == "refused", out
        assert [c.credential for c in _copies(wallet, group)] == held  # the copies held are kept
        for lang in LANGUAGES:
            assert renewal_words(out, lang) == messages.t("renew.refused", lang, document=out.title,
                                                          institution=out.issuer_name)
        assert "ask" in renewal_words(out, "en") and "new offer" in renewal_words(out, "en")
        with pytest.raises(NoRenewalError) as none:  # the grant was dropped: the button says so
            wallet.renew(group)
        assert none.value.message == NO_RENEWAL
        assert "renewed" not in world.events(case_id)
    finally:
        wallet.http.close()


def test_a_suspended_document_is_not_renewed_meanwhile_and_is_once_reinstated(world: World) -> None:
    """A suspension may end: the grant stays, the credential request is refused meanwhile
    (OpenID4VCI §8.3.1.2 ``credential_request_denied``), the copies held are kept, and the wallet
    says why; reinstated, the same grant renews them."""
    wallet, group, case_id = world.wallet("suspended")
    try:
        held = [c.credential for c in _copies(wallet, group)]
        world.clerk.set_state(VSAA, case_id, "suspend", "employer to check")
        out = wallet.renew(group)
        assert out.outcome == "failed" and out.detail, out
        assert messages.explain("credential_request_denied", "", "en") in out.detail
        assert [c.credential for c in _copies(wallet, group)] == held
        world.clerk.set_state(VSAA, case_id, "reinstate", "checked")
        assert wallet.renew(group).outcome == "renewed"
    finally:
        wallet.http.close()


def _attestation(world: World) -> dict[str, str]:
    """A client attestation of the reference wallet solution (its provider's), with a fresh PoP."""
    pki = load_demo_pki(world.stack.data_dir / "pki")
    instance = generate_key()
    key, chain = pki.signers[PROVIDER]
    now = int(time.time())
    attestation = client_attestation.attest(key, chain, client_id="esspass-reference-wallet",
                                            instance_key=instance.public_key(), iat=now - 5, lifetime=600)
    pop = client_attestation.proof_of_possession(instance, audience=f"{world.stack.issuer_url}/lv-vsaa", iat=now)
    return {client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop}


def _refresh(world: World, refresh_token: str, dpop_key: Any) -> httpx.Response:
    """A refresh at the issuer's token endpoint by whoever holds ``refresh_token`` and ``dpop_key``."""
    url = f"{world.stack.issuer_url}/lv-vsaa/token"
    nonce = world.http.post(f"{world.stack.issuer_url}/lv-vsaa/nonce").headers.get("DPoP-Nonce")
    return world.http.post(url, data={"grant_type": "refresh_token", "refresh_token": refresh_token},
                           headers={"DPoP": _dpop(dpop_key, url, nonce=nonce), **_attestation(world)})


def test_a_refresh_token_presented_with_another_dpop_key_is_refused_and_the_wallet_still_renews(
        world: World) -> None:
    wallet, group, _case_id = world.wallet("stolen-token")
    try:
        stolen = _grant(wallet, group)["refresh_token"]
        refused = _refresh(world, stolen, generate_key())
        assert (refused.status_code, refused.json()["error"]) == (400, "invalid_dpop_proof")
        assert wallet.renew(group).outcome == "renewed"  # the refused attempt spent nothing
    finally:
        wallet.http.close()


def test_a_replayed_refresh_token_is_detected_and_revokes_the_grant(world: World) -> None:
    """RFC 9700 §4.14.2: whoever copied the wallet's grant (its refresh token and DPoP key) before two
    renewals presents the spent token: the grant is revoked, and the wallet is told to ask for a new offer."""
    from wallet.keys import load_key

    wallet, group, _case_id = world.wallet("replayed")
    try:
        copied = _grant(wallet, group)
        assert wallet.renew(group).outcome == "renewed"
        assert wallet.renew(group).outcome == "renewed"
        replayed = _refresh(world, copied["refresh_token"], load_key(copied["dpop_key"]))
        assert (replayed.status_code, replayed.json()["error"]) == (400, "invalid_grant")
        assert "revoked" in replayed.json()["error_description"]
        held = [c.credential for c in _copies(wallet, group)]
        assert wallet.renew(group).outcome == "refused"
        assert [c.credential for c in _copies(wallet, group)] == held
    finally:
        wallet.http.close()


def test_a_card_without_a_grant_from_an_older_wallet_opens_and_cannot_renew(world: World) -> None:
    """A store written before the wallet kept grants has no ``renewals``: it opens, its cards are shown,
    and renewing one says so (nothing is asked of the institution)."""
    wallet, group, _case_id = world.wallet("older")
    try:
        with wallet.store.transaction() as doc:
            del doc["renewals"]
        reopened = WalletStore.open(wallet.store.path, "pw")
        assert "renewals" not in reopened.read() and wallet.cards("en")
        assert wallet.renew_due() == []
        with pytest.raises(NoRenewalError):
            wallet.renew(group)
    finally:
        wallet.http.close()


def test_wallet_renew_in_a_terminal_renews_the_card_named_and_says_when_none_is_due(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main

    wallet, group, _case_id = world.wallet("terminal")
    try:
        monkeypatch.setattr("wallet.cli._Ctx.service", lambda _ctx: wallet)
        assert wallet_main(["renew", group]) == 0
        said = capsys.readouterr().out
        assert f"[{group}]" in said and "New copies of" in said
        assert wallet_main(["renew"]) == 0
        assert messages.t("renew.none_due", "en") in capsys.readouterr().out
        with wallet.store.transaction() as doc:
            doc["renewals"].pop(group)
        assert wallet_main(["renew", group]) == 1
        assert "ask the institution for a new offer" in capsys.readouterr().err
    finally:
        wallet.http.close()


@pytest.mark.browser
def test_the_card_pages_renew_copies_button_renews_them_and_says_so(world: World, browser: Any) -> None:
    from wallet.app import create_app as wallet_app

    """The copies end within the notice window; a renewal already left them so (the same signer), so
    the page does not renew them by itself (review J, M1): the button does, at the worker's word."""
    wallet, group, case_id = world.wallet("page")
    assert wallet.renew(group).outcome == "renewed"
    wallet.http.close()
    settings = WalletSettings(data_dir=world.stack.data_dir / "page", registry_url=world.stack.registry_url,
                              pki_dir=world.stack.data_dir / "pki", allow_loopback_http=True, scrypt_n=2**10,
                              lang="en")
    held = {c.id for c in _copies(wallet, group)}
    with serve(wallet_app(settings)) as server:
        page = browser.new_page()
        try:
            page.goto(f"{server.url}/cards/{group}")
            page.fill("#passphrase", "pw")
            page.click("#unlock")
            page.wait_for_selector("#renew")
            assert page.get_attribute("#renew", "aria-describedby") == "renew-help"
            assert {c.id for c in _copies(wallet, group)} == held  # shown, not renewed by itself
            page.click("#renew")
            page.wait_for_selector("#renewal-notices")
            notice = page.inner_text("#renewal-notices")
            assert page.get_attribute("#renewal-notices .notice", "data-outcome") == "renewed", notice
            assert "New copies of" in notice
            assert not held & {c.id for c in _copies(wallet, group)}
            # A card without a grant (an older wallet's, or one refused) says so when the button is pressed.
            with wallet.store.transaction() as doc:
                doc["renewals"].pop(group)
            page.click("#renew")
            page.wait_for_selector("#renewal-notices .notice[data-outcome='failed']")
            assert page.inner_text("#renewal-notices") == messages.explain("cannot_renew", NO_RENEWAL, "en")
            # A form from another site (no CSRF token of the session) changes nothing.
            forged = httpx.post(f"{server.url}/cards/{group}/renew", data={"csrf": "forged"},
                                cookies={c["name"]: c["value"] for c in page.context.cookies()})
            assert forged.status_code == 403
        finally:
            page.close()
    assert world.events(case_id).count("renewed") == 4  # two forms, renewed before and by the button


def test_a_document_that_came_after_approval_is_renewed_with_the_grant_of_its_deferral(tmp_path: Path) -> None:
    """Four-eyes (OpenID4VCI §8.3, §9): the wallet waited for the second clerk with the grant's refresh
    token; once the document came, the same grant renews its copies."""
    with start_in_process(tmp_path, approval=[VSAA]) as stack, httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        wallet: WalletService = open_wallet(tmp_path / "phone", stack.registry_url, "pw", fast_kdf=True,
                                            pki_dir=tmp_path / "pki")
        try:
            a1 = {k: v for k, v in _worker().pda1.items() if k != "document_number"}
            case_id = clerk.create_case(f"{VSAA}/clerk.1", "pda1", a1, _worker().holder)
            offer = clerk.offer(f"{VSAA}/clerk.1", case_id)
            received = wallet.accept(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            assert received.pending and not received.groups and "renewals" not in wallet.store.read()
            clerk.approve(f"{VSAA}/clerk.2", case_id)
            [came] = wallet.fetch_pending(force=True)
            assert came.outcome == "received", came
            [group] = came.groups
            old = _copies(wallet, group)
            assert wallet.renew(group).outcome == "renewed"
            assert not _indexes(_copies(wallet, group)) & _indexes(old)
            assert "renewed" in [e["action"] for e in clerk.case(VSAA, case_id)["events"]]
        finally:
            wallet.http.close()


# --- the issuer's grant (issuer.service.IssuerService.token, _refreshed) ---------------------------------


def _dpop_at(key: Any, url: str, at: datetime) -> str:
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)},
                    {"jti": secrets.token_urlsafe(16), "htm": "POST", "htu": url, "iat": int(at.timestamp())}, key)


def test_a_dpop_bound_token_of_a_document_brings_a_grant_ending_with_the_document_and_a_bearer_one_none(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    now = datetime.now(UTC).replace(microsecond=0)
    clock = [now]
    hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=now)
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    inst = hosted["lv-nvd"]
    card = {**DEMO_PERSONS[0].ehic, "document_number": "", "date_of_issuance": now.date().isoformat(),
            "date_of_expiry": (now.date() + timedelta(days=10)).isoformat()}

    def token(proof: str | None) -> dict[str, Any]:
        case = service.create_case(inst, "ehic", card, actor="clerk:LV:NVD", holder={  # card fields 3-5
            k: DEMO_PERSONS[0].pid[k] for k in ("family_name", "given_name", "birthdate")})
        offer = service.create_offer(inst, case.id, actor="clerk:LV:NVD")
        code = service.offer_json(inst, offer.offer_id)["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
        return service.token(inst, {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                    "tx_code": offer.tx_code}, proof)

    try:
        assert "refresh_token" not in token(None)  # FAPI 2.0: no long-lived Bearer credential
        key = generate_key()
        url = f"{inst.issuer_url}/token"
        bound = token(_dpop_at(key, url, now))
        assert bound["token_type"] == "DPoP" and bound["refresh_token"]
        with service.sessions() as s:
            row = s.get(RefreshToken, stored_hash(bound["refresh_token"]))
            assert row is not None and row.jkt is not None
            assert utc(row.expires_at) == document_end(card, now)
        clock[0] = now + timedelta(days=12)  # the card has ended: so has its grant
        with pytest.raises(ProtocolError) as refused:
            service.token(inst, {"grant_type": "refresh_token", "refresh_token": bound["refresh_token"]},
                          _dpop_at(key, url, clock[0]))
        assert refused.value.error == "invalid_grant"
    finally:
        engine.dispose()


# --- the pure parts (wallet.renewal) --------------------------------------------------------------------


def _copy(n: int, *, exp: datetime | None, used: int = 0, fmt: str = "dc+sd-jwt",
          ending: date | None = None) -> StoredCredential:
    today = datetime.now(UTC).date()
    claims = {"document_number": "A1-1", "starting_date": (today - timedelta(days=10)).isoformat(),
              "ending_date": (ending or today + timedelta(days=300)).isoformat()}
    return StoredCredential(id=f"c{n}", group="g", format=fmt, vct=pda1.VCT, credential="x", private_key="k",
                            issuer_url="https://issuer.example/lv-vsaa", issuer_id=VSAA, issuer_name="VSAA",
                            configuration_id="pda1", received_at="", claims=claims, iat=0,
                            exp=int(exp.timestamp()) if exp is not None else None, used=used)


@pytest.mark.parametrize(("ends_in", "used", "ending", "why"), [
    (timedelta(days=29), 0, None, renewal.ENDING),
    (timedelta(days=31), 0, None, None),
    (timedelta(days=-1), 0, None, renewal.EXPIRED),
    (timedelta(days=100), 1, None, renewal.USED_UP),
    (timedelta(days=10), 0, "with_document", None),
    (timedelta(days=-1), 0, "ended", None),
], ids=["ending_within_the_window", "ending_outside_it", "expired_while_current", "used_up",
        "ending_with_the_document", "document_ended"])
def test_when_copies_are_due_for_renewal(ends_in: timedelta, used: int, ending: str | None, why: str | None) -> None:
    now = datetime.now(UTC)
    today = now.astimezone().date()
    exp = now + ends_in
    last = {None: None, "with_document": exp.astimezone().date(), "ended": today - timedelta(days=2)}[ending]
    copies = [_copy(n, exp=exp, used=used, ending=last) for n in range(2)]
    assert renewal.why_due(copies, now, today, notice=NOTICE) == why


def test_an_automatic_renewal_waits_a_day_after_one_that_did_not_help_and_never_under_anothers_lease() -> None:
    now = datetime.now(UTC)
    copies = [_copy(0, exp=now + timedelta(days=3))]
    grant = RenewalGrant(issuer_url="https://i.example", token_endpoint="https://i.example/token",
                         credential_endpoint="https://i.example/credential", nonce_endpoint=None,
                         notification_endpoint=None, as_issuer="https://i.example", token_auth_methods=(),
                         challenge_endpoint=None, batch_size=3, refresh_token="r", dpop_key="k",
                         forms=(renewal.RenewalForm("pda1", "dc+sd-jwt", pda1.VCT),), granted_at=now.isoformat())
    today = now.astimezone().date()
    assert renewal.due(grant, copies, now, today, notice=NOTICE) == renewal.ENDING
    assert renewal.due(None, copies, now, today, notice=NOTICE) is None
    tried = grant.after(now, error="the institution could not be reached")
    assert renewal.due(tried, copies, now + timedelta(hours=23), today, notice=NOTICE) is None
    assert renewal.due(tried, copies, now + timedelta(hours=23), today, notice=NOTICE, force=True) == renewal.ENDING
    assert renewal.due(tried, copies, now + timedelta(hours=25), today, notice=NOTICE) == renewal.ENDING
    leased = replace(grant, lease_until=(now + timedelta(seconds=60)).isoformat(), lease_holder="other")
    assert renewal.due(leased, copies, now, today, notice=NOTICE, force=True) is None
    assert RenewalGrant.from_dict(json.loads(json.dumps(grant.to_dict()))) == grant
    with pytest.raises(MalformedError):
        RenewalGrant.from_dict({**grant.to_dict(), "forms": []})


def test_what_a_renewal_came_to_is_said_in_every_language() -> None:
    for outcome in ("renewed", "refused", "failed"):
        out = RenewalOutcome("g", outcome, "A1", "VSAA", detail="" if outcome != "failed" else "x",
                             until="2027-01-31")
        said = {lang: renewal_words(out, lang) for lang in LANGUAGES}
        assert len(set(said.values())) == len(LANGUAGES), said
    for english in (NO_RENEWAL,):
        assert len({messages.explain("cannot_renew", english, lang) for lang in LANGUAGES}) == len(LANGUAGES)


# --- review J, wallet side: M1 (no renewal that changes nothing), L1 (a deleted card ends its grant), L4 ---


def test_ending_copies_a_renewal_left_ending_are_not_renewed_by_themselves_until_another_signer_is_published(
        world: World) -> None:
    """M1: the institution still signs under the certificate the copies end with, so a renewal leaves them
    ending the same day. The wallet then stops renewing them by itself (even ``wallet renew``, which
    skips the day's wait), until the issuer publishes other signer keys (SD-JWT VC §5 metadata)."""
    wallet, group, case_id = world.wallet("stalled")
    try:
        [first] = wallet.renew_due(seconds=10, budget=30)
        assert (first.group, first.outcome) == (group, "renewed"), first
        grant = _grant(wallet, group)
        assert grant["stalled_end"] == max(c.exp for c in _copies(wallet, group) if c.exp is not None)
        assert grant["stalled_signers"]  # the keys published at the time
        assert wallet.renew_due(force=True) == []  # nothing would change
        assert world.events(case_id).count("renewed") == 2
        # The issuer now publishes another set of keys (a new signer): renewed by itself once more.
        with wallet.store.transaction() as doc:
            doc["renewals"][group]["stalled_signers"] = ["an-earlier-signer:"]
        assert [o.outcome for o in wallet.renew_due(force=True)] == ["renewed"]
        assert world.events(case_id).count("renewed") == 4
        assert wallet.renew_due(force=True) == []
    finally:
        wallet.http.close()


def test_copies_the_issuer_refused_as_not_due_are_not_asked_for_by_themselves_before_it_said() -> None:
    """M1: the issuer's ``credential_request_denied`` says from when it renews the copies (within a day of
    their issue, by its pace); the wallet's next automatic try waits until then, a day at least, and the
    worker can still ask."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    issued, ends = now - timedelta(hours=1), now + timedelta(days=200)
    refusal = IssuerService._renewal_refused(("n", issued, ends), ends, now)
    assert refusal is not None and refusal.error == "credential_request_denied"
    assert renewal.renewed_from(refusal.message) == issued + timedelta(hours=24)  # the issuer's pace
    soon = now + NOTICE + timedelta(hours=2)
    refusal = IssuerService._renewal_refused(("n", issued, soon), soon, now)
    assert refusal is not None and renewal.renewed_from(refusal.message) == soon - NOTICE
    copies = [_copy(0, exp=ends, used=1)]  # used up: due by the wallet's reckoning
    grant = RenewalGrant(issuer_url="https://i.example", token_endpoint="https://i.example/token",
                         credential_endpoint="https://i.example/credential", nonce_endpoint=None,
                         notification_endpoint=None, as_issuer="https://i.example", token_auth_methods=(),
                         challenge_endpoint=None, batch_size=3, refresh_token="r", dpop_key="k",
                         forms=(renewal.RenewalForm("pda1", "dc+sd-jwt", pda1.VCT),), granted_at=now.isoformat())
    today = now.astimezone().date()
    a_day = (now + renewal.RETRY_AFTER).isoformat()
    assert grant.after(now, error=refusal.message).not_due_until(now, refusal.message).next_try == a_day
    # An issuer saying a later time (another pace): not before then.
    later = refusal.message.replace(f"{soon - NOTICE:%Y-%m-%d %H:%M}", f"{now + timedelta(days=9):%Y-%m-%d %H:%M}")
    refused = grant.after(now, error=later).not_due_until(now, later)
    assert refused.next_try == (now + timedelta(days=9)).isoformat()
    assert renewal.due(refused, copies, now + timedelta(days=8), today, notice=NOTICE) is None
    assert renewal.due(refused, copies, now + timedelta(days=9, minutes=1), today, notice=NOTICE) == renewal.USED_UP
    assert renewal.due(refused, copies, now, today, notice=NOTICE, force=True) == renewal.USED_UP
    other = grant.after(now, error="suspended").not_due_until(now, "the document is suspended")
    assert other.next_try == a_day  # another refusal: a day, as before


def test_deleting_a_card_ends_its_grant_at_the_institution_and_never_fails_the_deletion(world: World) -> None:
    """L1 (RFC 7009 §2): deleting the card revokes its grant with the grant's DPoP key, so a copy of the
    refresh token and key taken before renews nothing; an issuer that cannot be reached, or a grant
    kept before the wallet stored the revocation endpoint, does not stop the deletion."""
    from wallet.keys import load_key

    wallet, group, _case_id = world.wallet("deleted")
    try:
        copied = _grant(wallet, group)
        assert copied["revocation_endpoint"] == f"{world.stack.issuer_url}/lv-vsaa/revoke"
        wallet.delete(group)
        wallet.wait_revocations()
        refused = _refresh(world, copied["refresh_token"], load_key(copied["dpop_key"]))
        assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant"), refused.text
        # Unreachable, and kept without the endpoint: deleted all the same.
        for home, endpoint in (("deleted-unreachable", "http://127.0.0.1:9/lv-vsaa/revoke"), ("deleted-older", None)):
            other, other_group, _ = world.wallet(home)
            try:
                with other.store.transaction() as doc:
                    doc["renewals"][other_group]["revocation_endpoint"] = endpoint
                other.delete(other_group)
                other.wait_revocations()
                assert not _copies(other, other_group) and other_group not in other.store.read()["renewals"]
            finally:
                other.http.close()
    finally:
        wallet.http.close()


def test_renewed_copies_ending_sooner_than_the_held_ones_replace_them_only_once_those_are_used_up() -> None:
    """L4: a misbehaving issuer, or a newer but shorter certificate, does not trade the worker's long-lived
    copies for short ones; once every held copy of the form has been shown, any newer copy is better."""
    from wallet.service import _renewed_in_place

    now = datetime.now(UTC)
    held = [_copy(n, exp=now + timedelta(days=100)) for n in range(2)]
    sooner = [replace(_copy(n + 10, exp=now + timedelta(days=20)), group="new") for n in range(2)]
    later = [replace(_copy(n + 20, exp=now + timedelta(days=200)), group="new") for n in range(2)]
    assert renewal.ends_sooner(held, sooner, now) and not renewal.ends_sooner(held, later, now)
    used_up = [replace(c, used=1) for c in held]
    assert not renewal.ends_sooner(used_up, sooner, now)
    doc = {"credentials": [c.to_dict() for c in held]}
    stored, erased = _renewed_in_place(doc, "g", sooner, now)
    assert (stored, erased) == ([], []) and [c["id"] for c in doc["credentials"]] == ["c0", "c1"]
    stored, erased = _renewed_in_place(doc, "g", later, now)
    assert [c.id for c in stored] == ["c20", "c21"] and [c.id for c in erased] == ["c0", "c1"]
    doc = {"credentials": [c.to_dict() for c in used_up]}
    stored, _erased = _renewed_in_place(doc, "g", sooner, now)
    assert [c["id"] for c in doc["credentials"]] == ["c10", "c11"]
