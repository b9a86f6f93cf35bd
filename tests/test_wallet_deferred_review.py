"""Deferred issuance in the wallet, against what a reviewer found (OpenID4VCI 1.0 §8.3, §9, §11;
RFC 6749 §6 and §10.4; RFC 6750 §2.1 ``b64token``; RFC 9449 §8).

* A token an issuer answers with goes into headers later: one that cannot (not a ``b64token``) is
  refused on arrival, and an entry the wallet cannot handle is released, never a 500.
* The list page asks within its time (every exchange, the refresh's challenge, the DPoP retry and
  the notifications included), whatever the servers do.
* A document that arrived is never dropped: when the rest cannot be had it is received, and the
  worker told what is missing.
* Each entry is leased just before it is asked about, for longer than its questions can take, and
  a process whose lease was taken over writes nothing.
* A deferral is kept only from an institution the issuers list names at that address (its path, and
  the origin of the Status List Aggregation endpoint it lists: none listed, none vouched for), and
  shown under the list's name for it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import test_wallet_deferred
from fastapi import FastAPI, Request, Response
from test_wallet_deferred import World, second_question_raises

import wallet.app as wallet_app_module
import wallet.service as wallet_service
from credentials.errors import IssuerTrustError, KeyBindingError, MalformedError
from esspass.testing import ServerHandle, serve
from wallet import core
from wallet.app import create_app as wallet_app
from wallet.deferred import Answer
from wallet.errors import TransportError, WalletLockedError
from wallet.messages import explain, pending_message
from wallet.service import WalletService
from wallet.settings import WalletSettings

#: The real issuer with approval, a registry and a verifier (one per module).
world = test_wallet_deferred.world

#: The page's time in these tests (the wallet's own is 3 s each, 4 s in all): a budget shorter than two
#: exchanges' time (2 x PER), so that a page spending its time per exchange, not in all, takes >= 6 s.
PER, BUDGET = 3.0, 3.5
#: What the page may take beyond its budget: one last exchange's shortest time (0.5 s), the page itself and
#: a loaded CI machine; still below the 6 s of a page that does not keep to its budget.
SLACK = 1.8


def _pending(world: World, home: str) -> tuple[WalletService, str]:
    wallet = world.wallet(home)
    case_id, link, tx = world.offer()
    assert wallet.accept(wallet.open_offer(link)[0], tx).pending
    return wallet, case_id


def _due(wallet: WalletService) -> None:
    with wallet.store.transaction() as doc:
        for p in doc["pending"]:
            p["next_poll"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
            p["lease_until"] = None


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(obj), status_code=status, media_type="application/json", headers=headers)


def _page(world: World, home: str) -> tuple[ServerHandle, httpx.Client]:
    """The wallet page for ``home``, served, and a client on it, unlocked."""
    settings = WalletSettings(data_dir=world.data_dir / home, registry_url=world.registry_url,
                              pki_dir=world.data_dir / "pki", allow_loopback_http=True, scrypt_n=2**10, lang="en")
    server = serve(wallet_app(settings))
    client = httpx.Client(base_url=server.url, timeout=60, follow_redirects=True)
    page = client.get("/unlock")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    client.post("/unlock", data={"passphrase": "pw", "csrf": match.group(1), "next": "/"}, follow_redirects=False)
    return server, client


# --- 1. tokens that cannot go into a header ----------------------------------------------------------


def test_a_refreshed_access_token_that_is_not_a_b64token_is_refused_and_the_rotated_refresh_token_kept(
        world: World) -> None:
    wallet, _ = _pending(world, "b64-refresh")
    app = FastAPI()

    @app.post("/deferred")
    def deferred() -> Response:
        return _json({"error": "invalid_token"}, 401)

    @app.post("/token")
    def token() -> Response:  # a non-ASCII access token (RFC 6750 §2.1: b64token), a usable rotated refresh token
        return _json({"access_token": "t\u00f6ken", "token_type": "DPoP", "refresh_token": "r2.rotated"})

    with serve(app) as server:
        with wallet.store.transaction() as doc:
            doc["pending"][0].update(deferred_endpoint=f"{server.url}/deferred", token_endpoint=f"{server.url}/token",
                                     challenge_endpoint=None, token_auth_methods=["none"])
        before = wallet.store.read()["pending"][0]["access_token"]
        for _round in range(2):  # and again: nothing unusable was stored
            _due(wallet)
            [out] = wallet.fetch_pending(seconds=PER, budget=BUDGET)
            assert out.outcome == "pending" and "access token" in out.detail, out
            [kept] = wallet.store.read()["pending"]
            assert kept["access_token"] == before and kept["lease_until"] is None
            assert kept["refresh_token"] == "r2.rotated"  # the one sent may be revoked already (§6)


def test_an_entry_the_wallet_cannot_handle_is_released_and_the_page_still_answers(world: World) -> None:
    """An entry stored before tokens were checked (or damaged otherwise): the page answers 200, the
    entry is released with words, and asked again later."""
    wallet, _ = _pending(world, "b64-stored")
    with wallet.store.transaction() as doc:
        doc["pending"][0]["access_token"] = "t\u00f6ken"
    _due(wallet)
    [out] = wallet.fetch_pending(seconds=PER, budget=BUDGET)
    assert out.outcome == "pending" and out.detail == "the wallet could not handle the institution's answer"
    [kept] = wallet.store.read()["pending"]
    assert kept["lease_until"] is None and kept["last_error"] == out.detail
    assert "t\u00f6ken" not in out.detail
    _due(wallet)
    wallet.http.close()
    server, client = _page(world, "b64-stored")
    try:
        page = client.get("/")
        assert page.status_code == 200 and "could not handle" in page.text
    finally:
        client.close()
        server.stop()


# --- 2. the page's time -------------------------------------------------------------------------------


def _slow(hang: threading.Event, seconds: float = 8.0) -> None:
    hang.wait(seconds)


def _notification_hangs(app: FastAPI, hang: threading.Event) -> None:
    @app.post("/deferred")
    def deferred() -> Response:  # a 200 that fails the receipt checks: credential_failure is told, per form
        return _json({"credentials": [{"credential": "not-an-sd-jwt~"}], "notification_id": "n1"})

    @app.post("/notify")
    def notify() -> Response:
        _slow(hang)
        return Response(status_code=204)


def _challenge_hangs(app: FastAPI, hang: threading.Event) -> None:
    @app.post("/deferred")
    def deferred() -> Response:
        return _json({"error": "invalid_token"}, 401)

    @app.post("/challenge")
    def challenge() -> Response:
        _slow(hang)
        return _json({"attestation_challenge": "c"})


def _token_hangs(app: FastAPI, hang: threading.Event) -> None:
    @app.post("/deferred")
    def deferred() -> Response:
        return _json({"error": "invalid_token"}, 401)

    @app.post("/challenge")
    def challenge() -> Response:
        return _json({"attestation_challenge": "c"})

    @app.post("/token")
    def token() -> Response:
        _slow(hang)
        return _json({"error": "invalid_grant"}, 400)


def _dpop_retry_hangs(app: FastAPI, hang: threading.Event) -> None:
    """Each question answered late with a new DPoP nonce (RFC 9449 §8): the retry must fit the same time."""
    count = iter(range(1000))

    @app.post("/deferred")
    def deferred() -> Response:
        time.sleep(PER * 0.9)
        return _json({"error": "use_dpop_nonce"}, 401, {"DPoP-Nonce": f"n{next(count)}",
                                                         "WWW-Authenticate": 'DPoP error="use_dpop_nonce"'})


@pytest.mark.parametrize("hostile", [_notification_hangs, _challenge_hangs, _token_hangs, _dpop_retry_hangs],
                         ids=["notification", "challenge", "token", "dpop-retry"])
def test_the_list_page_answers_within_its_time_whatever_the_institution_does(
        world: World, hostile: Callable[[FastAPI, threading.Event], None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wallet_app_module, "_PENDING_SECONDS", PER)
    monkeypatch.setattr(wallet_app_module, "_PENDING_BUDGET", BUDGET)
    home = f"page-{hostile.__name__.strip('_')}"
    wallet, _ = _pending(world, home)
    app = FastAPI()
    hang = threading.Event()
    hostile(app, hang)
    with serve(app) as server:
        with wallet.store.transaction() as doc:
            doc["pending"][0].update(deferred_endpoint=f"{server.url}/deferred", token_endpoint=f"{server.url}/token",
                                     challenge_endpoint=f"{server.url}/challenge",
                                     notification_endpoint=f"{server.url}/notify",
                                     token_auth_methods=["attest_jwt_client_auth"])
        _due(wallet)
        wallet.http.close()
        page_server, client = _page(world, home)
        try:
            started = time.monotonic()
            page = client.get("/")
            took = time.monotonic() - started
        finally:
            hang.set()
            client.close()
            page_server.stop()
    assert page.status_code == 200
    assert took < BUDGET + SLACK, f"the page took {took:.1f} s"


# --- 3. what arrived is kept ---------------------------------------------------------------------------


def test_a_form_that_arrived_is_received_when_the_access_for_the_rest_cannot_be_renewed(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    wallet, case_id = _pending(world, "arrived")
    world.approve(case_id)
    first = second_question_raises(wallet, monkeypatch, TransportError(
        "Asking the institution for the document: the server is too slow to answer"))
    assert first.outcome == "pending"
    [kept] = wallet.store.read()["pending"]
    assert len(kept["arrived"]) == 1 and len(kept["transactions"]) == 1

    # The access token has ended and the refresh token is refused: the rest cannot be asked for.
    with wallet.store.transaction() as doc:
        doc["pending"][0].update(access_token="expired", refresh_token="refused")
    [second] = wallet.fetch_pending(force=True)
    assert second.outcome == "received" and len(second.groups) == 1, second
    assert "refresh token" in second.detail
    assert wallet.store.read()["pending"] == []
    [card] = wallet.cards("en")
    assert card.group == second.groups[0] and "A1" in card.title
    text = pending_message(second.outcome, second.issuer_name, second.titles, second.detail, "en")
    assert "now in your wallet" in text and "not all of it" in text


@pytest.mark.parametrize("error", [RuntimeError("a bug of the wallet's"), KeyBindingError("a damaged holder key"),
                                   WalletLockedError("the wallet was locked meanwhile")],
                         ids=["unexpected", "credential-error", "wallet-locked"])
def test_a_form_that_arrived_is_kept_whatever_ends_the_round_after_it(
        world: World, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """The issuer has spent the transaction of a form it handed over: written into the entry as it
    arrives, so an error later in the same round (released by _ask_safely with what is stored, or
    the store locked: the entry left leased until its lease ends) does not lose it."""
    wallet, case_id = _pending(world, f"arrived-{type(error).__name__}")
    world.approve(case_id)
    if isinstance(error, WalletLockedError):
        with pytest.raises(WalletLockedError):
            second_question_raises(wallet, monkeypatch, error)
    else:
        first = second_question_raises(wallet, monkeypatch, error)
        assert first.outcome == "pending" and first.detail, first
    [kept] = wallet.store.read()["pending"]
    assert len(kept["arrived"]) == 1 and len(kept["transactions"]) == 1  # the spent one is not asked again
    _due(wallet)  # the lease left by a locked store has ended
    [second] = wallet.fetch_pending(force=True)
    assert second.outcome == "received" and not second.detail, second  # whole: nothing missing
    assert wallet.store.read()["pending"] == []
    [card] = wallet.cards("en")
    assert {c.format for c in wallet.credentials() if c.group == card.group} == {"dc+sd-jwt", "mso_mdoc"}


@pytest.mark.parametrize(("decide", "code"), [(None, 0), ("refuse", 1), ("partial", 1)],
                         ids=["still-waiting", "refused", "received-incomplete"])
def test_fetch_pending_in_a_terminal_exits_1_when_a_document_will_not_come(
        world: World, decide: str | None, code: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 1 also when a document arrives incomplete: one form received, and the rest will not come."""
    from wallet.cli import main

    home = f"terminal-{decide}"
    wallet, case_id = _pending(world, home)
    if decide == "partial":  # one form arrives, then access for the rest ends and cannot be renewed
        world.approve(case_id)
        second_question_raises(wallet, monkeypatch, TransportError("the server is too slow to answer"))
        with wallet.store.transaction() as doc:
            doc["pending"][0].update(access_token="expired", refresh_token="refused")
    wallet.http.close()
    if decide == "refuse":
        world.refuse(case_id)
    for name, value in {"ESSPASS_DATA_DIR": str(world.data_dir / home), "ESSPASS_WALLET_PKI_DIR":
                        str(world.data_dir / "pki"), "ESSPASS_REGISTRY_URL": world.registry_url,
                        "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true", "ESSPASS_WALLET_PASSPHRASE": "pw"}.items():
        monkeypatch.setenv(name, value)
    assert main(["--lang", "en", "fetch-pending", "--now"]) == code
    out = capsys.readouterr().out
    assert ("refused to issue" in out) == (decide == "refuse"), out
    assert ("not all of it" in out) == (decide == "partial"), out


# --- 4. leases -------------------------------------------------------------------------------------------


def _lease_of(wallet: WalletService, transaction_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The stored entry asking about ``transaction_id``, and the others."""
    entries = wallet.store.read()["pending"]
    mine = [p for p in entries if any(t["transaction_id"] == transaction_id for t in p["transactions"])]
    return mine[0], [p for p in entries if p is not mine[0]]


def test_each_entry_is_leased_just_before_it_is_asked_for_longer_than_its_questions(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wallet_service, "LEASE_SECONDS", 6)
    wallet, _ = _pending(world, "lease-order")
    _pending_too = world.offer()
    assert wallet.accept(wallet.open_offer(_pending_too[1])[0], _pending_too[2]).pending
    seen: list[tuple[bool, bool, list[bool]]] = []

    def fake(_http: Any, _endpoint: str, transaction_id: str, **kw: Any) -> Answer:
        entry, others = _lease_of(wallet, transaction_id)
        seconds = kw["seconds"]
        lease_until = datetime.fromisoformat(entry["lease_until"]) if entry["lease_until"] else None
        covered = seconds is not None and lease_until is not None \
            and lease_until >= datetime.now(UTC) + timedelta(seconds=seconds)
        seen.append((entry["lease_holder"] is not None if "lease_holder" in entry else False, covered,
                     [o["lease_until"] is not None for o in others]))
        return Answer("pending", interval=5)

    monkeypatch.setattr(wallet_service, "poll_deferred", fake)
    outcomes = wallet.fetch_pending(force=True)  # the terminal: no time limit of its own
    assert [o.outcome for o in outcomes] == ["pending", "pending"]
    assert len(seen) == 4
    for held, covered, _others in seen:
        assert held and covered  # the question's time lies within this process's lease
    assert seen[0][2] == [False]  # the second entry is not claimed while the first is asked about
    assert all(p["lease_until"] is None for p in wallet.store.read()["pending"])


def test_a_process_whose_lease_was_taken_over_writes_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    wallet, _ = _pending(world, "lease-lost")
    other = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()

    def taken_over(_http: Any, _endpoint: str, transaction_id: str, **kw: Any) -> Answer:
        # Meanwhile another process claimed the entry (this one's lease had run out, say).
        with wallet.store.transaction() as doc:
            doc["pending"][0].update(lease_until=other, lease_holder="another-process")
        return Answer("malformed", detail="the issuer answered HTTP 418")

    monkeypatch.setattr(wallet_service, "poll_deferred", taken_over)
    before = wallet.store.read()["pending"][0]
    [out] = wallet.fetch_pending(force=True)
    assert out.outcome == "pending"
    [after] = wallet.store.read()["pending"]
    assert after.get("lease_holder") == "another-process" and after["lease_until"] == other
    assert after["last_error"] == before["last_error"] and after["next_poll"] == before["next_poll"]


# --- 5. trust ----------------------------------------------------------------------------------------------


@pytest.fixture()
def hostile_issuer() -> Iterator[tuple[str, dict[str, Any]]]:
    """A server no trust list names, dressed as the VSAA at ``/lv-vsaa`` (as the real one is served)."""
    app = FastAPI()
    state: dict[str, Any] = {"access_token": "a", "refresh_token": "r", "asked": []}

    @app.get("/.well-known/openid-credential-issuer/lv-vsaa")
    def meta() -> Response:
        u = state["url"]
        return _json({"credential_issuer": u, "credential_endpoint": u + "/credential",
                      "deferred_credential_endpoint": u + "/deferred",
                      "display": [{"name": "State Social Insurance Agency (VSAA)", "locale": "en"}],
                      "credential_configurations_supported": {"pda1": {"format": "dc+sd-jwt",
                                                                       "vct": "urn:eudi:pda1:1"}}})

    @app.get("/.well-known/oauth-authorization-server/lv-vsaa")
    def as_meta() -> Response:
        return _json({"issuer": state["url"], "token_endpoint": state["url"] + "/token"})

    @app.post("/lv-vsaa/token")
    def token() -> Response:
        return _json({"access_token": state["access_token"], "token_type": "Bearer",
                      "refresh_token": state["refresh_token"]})

    @app.post("/lv-vsaa/credential")
    async def credential(request: Request) -> Response:
        state["asked"].append(request.headers.get("authorization"))
        return _json({"transaction_id": "t1", "interval": 5}, 202)

    with serve(app) as server:
        state["url"] = f"{server.url}/lv-vsaa"
        yield state["url"], state


def _offer_link(issuer: str) -> str:
    offer = {"credential_issuer": issuer, "credential_configuration_ids": ["pda1"],
             "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "x"}}}
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))


def test_a_deferral_from_a_server_the_trust_list_does_not_name_is_not_kept(
        world: World, hostile_issuer: tuple[str, dict[str, Any]]) -> None:
    issuer, _ = hostile_issuer
    wallet = world.wallet("untrusted")
    with pytest.raises(IssuerTrustError) as refused:
        wallet.accept(wallet.open_offer(_offer_link(issuer))[0], None)
    assert wallet.pending("en") == [] and wallet.store.read()["pending"] == []
    assert explain(refused.value.code, refused.value.message, "en").startswith("The sender is not on the trusted list")


@pytest.mark.parametrize(("field", "value"), [("access_token", "a b"), ("access_token", "t\u00f6ken"),
                                              ("access_token", "a" * 4097), ("refresh_token", "r\u00e9")])
def test_a_first_token_that_is_not_a_b64token_is_refused(
        world: World, hostile_issuer: tuple[str, dict[str, Any]], field: str, value: str) -> None:
    issuer, state = hostile_issuer
    state[field] = value  # no Authorization header (or form sent back later) can carry it as it is
    wallet = world.wallet(f"untrusted-{field}-{len(value)}")
    with pytest.raises(MalformedError, match=field.replace("_", " ")):
        wallet.accept(wallet.open_offer(_offer_link(issuer))[0], None)
    assert state["asked"] == [] and wallet.store.read()["pending"] == []


@pytest.mark.parametrize(("address", "vct", "named"), [
    ("{issuer}/lv-vsaa", "urn:eudi:pda1:1", True),             # the VSAA, where the list says it is
    ("{issuer}/lv-vsaa/", "urn:eudi:pda1:1", True),
    ("{issuer}/lv-pid", "urn:eudi:pda1:1", False),             # listed, but not for PDA1
    ("{issuer}", "urn:eudi:pda1:1", False),                    # no institution's path
    ("http://127.0.0.1:1/lv-vsaa", "urn:eudi:pda1:1", False),  # its path on another server
    ("{issuer}/lv-vsaa", "urn:example:unknown", False),        # a type no institution issues
])
def test_which_address_the_issuers_list_vouches_for(world: World, address: str, vct: str, named: bool) -> None:
    now = datetime.now(UTC)
    issuers = world.wallet("trust-table").trust.issuers(now)
    url = address.format(issuer=world.issuer_url)
    if named:
        assert core.deferring_issuer(issuers, url, vct, now=now).id == "LV:VSAA"
    else:
        with pytest.raises(IssuerTrustError):
            core.deferring_issuer(issuers, url, vct, now=now)


@pytest.mark.parametrize("address", ["{issuer}/lv-vsaa", "https://evil.example/lv-vsaa"])
def test_an_institution_the_list_gives_no_address_vouches_for_no_server(world: World, address: str) -> None:
    """Fail closed: without its Status List Aggregation endpoint on the list (``status_lists``) the
    list names no origin for the institution, and a path alone (anyone can serve ``/lv-vsaa``) is
    not enough, at its real server or any other."""
    now = datetime.now(UTC)
    issuers = world.wallet("trust-no-address").trust.issuers(now)
    assert core.deferring_issuer(issuers, f"{world.issuer_url}/lv-vsaa", "urn:eudi:pda1:1", now=now).id == "LV:VSAA"
    unaddressed = replace(issuers, entities=tuple(replace(e, status_lists=None) for e in issuers.entities))
    with pytest.raises(IssuerTrustError) as refused:
        core.deferring_issuer(unaddressed, address.format(issuer=world.issuer_url), "urn:eudi:pda1:1", now=now)
    assert explain(refused.value.code, refused.value.message, "en").startswith("The sender is not on the trusted list")


def test_a_pending_document_is_shown_under_the_name_the_list_gives_its_institution(world: World) -> None:
    """A 202 carries nothing signed: the name the server gives itself (its metadata ``display``) is
    not what the worker is told they wait for; the listed institution's own name is, as on its card."""
    wallet = world.wallet("listed-name")
    case_id, link, tx = world.offer()
    _offer_id, offer = wallet.open_offer(link)
    self_named = replace(offer, issuer_display=({"name": "Totally Official Agency", "locale": "en"},))
    assert wallet.take(self_named, tx).pending
    listed = "Valsts sociālās apdrošināšanas aģentūra (State Social Insurance Agency)"
    [waiting] = wallet.pending("en")
    assert waiting.issuer_name == listed
    assert "Totally Official" not in json.dumps(wallet.store.read()["pending"])  # not kept either
    world.approve(case_id)
    [done] = wallet.fetch_pending(force=True)
    assert done.outcome == "received" and done.issuer_name == listed
    assert wallet.card(done.groups[0], "en").issuer_name == listed  # one name for one institution


def _lease_lapses_at_the_second_question(a: WalletService, monkeypatch: pytest.MonkeyPatch,
                                         meanwhile: Callable[[], object]) -> None:
    """Process ``a`` stalls at its second question for longer than its lease (a suspended laptop, a
    stuck disk): its lease runs out, and ``meanwhile`` happens before it carries on."""
    real = vars(wallet_service)["poll_deferred"]
    calls: list[int] = []

    def polls(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            with a.store.transaction() as doc:
                doc["pending"][0]["lease_until"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
            monkeypatch.setattr(wallet_service, "poll_deferred", real)
            meanwhile()
            monkeypatch.setattr(wallet_service, "poll_deferred", polls)
        return real(*args, **kwargs)

    monkeypatch.setattr(wallet_service, "poll_deferred", polls)


def test_a_round_whose_lease_was_taken_over_stores_nothing_the_other_round_stored(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """One document, one card: the round that took the entry over stored what the first round had
    kept (and the rest); the first round, carrying on, stores none of it again."""
    a = world.wallet("takeover")
    case_id, link, tx = world.offer()
    assert a.accept(a.open_offer(link)[0], tx).pending
    world.approve(case_id)
    b = world.wallet("takeover")  # a second wallet process on the same store (the page and the terminal)
    b_out: list[Any] = []
    _lease_lapses_at_the_second_question(a, monkeypatch, lambda: b_out.extend(b.fetch_pending(force=True)))
    a.fetch_pending(force=True)
    assert [o.outcome for o in b_out] == ["received"]
    texts = [c["credential"] for c in a.store.read()["credentials"]]
    assert len(texts) == len(set(texts)) and len(a.cards("en")) == 1


def test_a_pending_document_the_worker_removed_meanwhile_is_not_stored_by_a_round_that_lost_its_lease(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    a = world.wallet("removed-meanwhile")
    case_id, link, tx = world.offer()
    [entry_id] = a.accept(a.open_offer(link)[0], tx).pending
    world.approve(case_id)
    _lease_lapses_at_the_second_question(a, monkeypatch, lambda: a.cancel_pending(entry_id))
    a.fetch_pending(force=True)
    assert a.store.read()["credentials"] == [] and a.cards("en") == []
