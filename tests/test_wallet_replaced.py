"""A document replaced by its institution: the wallet presents the new one and shows the old one replaced.

When a clerk extends or corrects an A1, the institution issues a new document and marks the old one
replaced in its status list (draft-ietf-oauth-status-list §7.1: our application-specific REPLACED,
0x03). The worker then holds both. The
wallet must answer an inspector's request (OpenID4VP 1.0 §6.4) with the newest usable document,
check the status of the candidates when a request is opened (status list §8.3, best effort), and
check the older documents of the same kind when the replacement arrives, without deleting anything.

The first tests hold the selection rule itself (:func:`wallet.core.match`, no servers); the others
run the registry, the issuer, the verifier and the wallet (its service and its pages) on loopback.
The last ones hold what the wallet sends: never a document the worker removed, never the same copy
to two verifiers while another is unused, and a record of every offline QR code shown.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import mdoc, pda1, pid
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process, unnumbered
from esspass.testing import ServerHandle, serve
from wallet import core
from wallet.app import create_app as wallet_app
from wallet.model import StatusCheck, StoredCredential
from wallet.service import WalletService
from wallet.settings import WalletSettings

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
A1_ISSUER = PERSON.pda1_issuer
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


# --- the selection rule (wallet.core.match) --------------------------------------------------------


def _stored(group: str, number: str, *, iat: int, used: int = 0, received_at: str = "2026-11-01T08:00:00+00:00",
            status: str | None = None, exp: int | None = None, copy: int = 0) -> StoredCredential:
    return StoredCredential(
        id=f"{group}-{copy}", group=group, format="dc+sd-jwt", vct=pda1.VCT, credential="", private_key="",
        issuer_url="https://localhost:8102/lv-vsaa", issuer_id=A1_ISSUER, issuer_name="VSAA",
        configuration_id="pda1", received_at=received_at, claims={**PERSON.pda1, "document_number": number},
        iat=iat, exp=exp, last_status=StatusCheck(status, NOW.isoformat()) if status else None, used=used,
    )


def _request() -> core.VerifiedRequest:
    query = {"credentials": [{"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                              "claims": [{"path": ["document_number"]}]}]}
    return core.VerifiedRequest(client_id="x509_hash:test", nonce="n", state=None, response_mode="direct_post",
                                response_uri="https://localhost:8103/response/1", dcql_query=query,
                                client_metadata={}, verifier_id="LV:VDI", verifier_name="VDI",
                                verifier_country="LV", purpose="")


def _chosen(held: list[StoredCredential]) -> StoredCredential | None:
    selection, satisfiable = core.match(_request(), held, now=NOW)
    return selection["pda1"][0] if satisfiable else None


def _chosen_group(held: list[StoredCredential]) -> str | None:
    chosen = _chosen(held)
    return chosen.group if chosen is not None else None


def test_among_two_documents_of_one_type_the_most_recently_issued_is_presented() -> None:
    old = _stored("old", "A1-OLD", iat=1_000)
    new = _stored("new", "A1-NEW", iat=2_000)
    for held in ([old, new], [new, old]):  # the issuance time decides, not the stored order
        assert _chosen_group(held) == "new"


def test_documents_issued_in_the_same_second_go_by_when_the_wallet_stored_them() -> None:
    earlier = _stored("earlier", "A1-1", iat=1_000, received_at="2026-11-01T08:00:00+00:00")
    later = _stored("later", "A1-2", iat=1_000, received_at="2026-11-01T08:00:05+00:00")
    assert _chosen_group([later, earlier]) == "later"
    first = _stored("first", "A1-3", iat=1_000)
    second = _stored("second", "A1-4", iat=1_000)
    assert _chosen_group([first, second]) == "second"


def test_within_one_document_the_least_used_copy_is_presented() -> None:
    """Copies of one batch are spent least-used first, so two verifiers cannot link the worker by one
    signature or key (OpenID4VCI 1.0 §8; HAIP 1.0 §4.5); an older document's unused copy does not
    win over the newest document."""
    held = [_stored("old", "A1-OLD", iat=1_000, used=0),
            *(_stored("new", "A1-NEW", iat=2_000, used=n, copy=c) for c, n in enumerate((3, 1, 2)))]
    chosen = _chosen(held)
    assert chosen is not None and (chosen.group, chosen.used) == ("new", 1)


@pytest.mark.parametrize(("newest_status", "chosen_group"), [
    ("invalid", "old"),  # withdrawn by the issuer
    ("suspended", "old"),
    ("unknown", "new"),  # the list could not be read: no statement, the verifier checks it itself
    ("valid", "new"),
])
def test_a_document_known_to_be_withdrawn_is_not_offered_when_another_is_usable(
        newest_status: str, chosen_group: str) -> None:
    held = [_stored("old", "A1-OLD", iat=1_000, status="valid"),
            _stored("new", "A1-NEW", iat=2_000, status=newest_status)]
    assert _chosen_group(held) == chosen_group


def test_an_expired_document_is_not_offered_when_another_is_usable() -> None:
    expired = int((NOW - timedelta(days=1)).timestamp())
    held = [_stored("old", "A1-OLD", iat=1_000), _stored("new", "A1-NEW", iat=2_000, exp=expired)]
    assert _chosen_group(held) == "old"


def test_a_document_known_to_be_withdrawn_answers_only_when_no_other_does() -> None:
    """Alone, it is still offered: the verifier then tells the inspector it was withdrawn, where an
    unanswered request would read as a refusal the worker never made."""
    assert _chosen_group([_stored("only", "A1-ONLY", iat=1_000, status="invalid")]) == "only"
    held = [_stored("withdrawn", "A1-W", iat=3_000, status="invalid"),
            _stored("suspended", "A1-S", iat=2_000, status="suspended"), _stored("valid", "A1-V", iat=1_000)]
    assert _chosen_group(held) == "valid"


def test_the_status_is_refreshed_for_every_type_the_request_asks_for_in_either_form() -> None:
    """The wallet re-checks only the documents a request could take (OpenID4VP 1.0 §6: ``vct_values``,
    and an mdoc's ``doctype_value`` standing for the same document)."""
    query = {"credentials": [
        {"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]}},
        {"id": "pid_mdoc", "format": "mso_mdoc", "meta": {"doctype_value": mdoc.DOCTYPES["pid"]}},
    ]}
    assert core.requested_types(replace(_request(), dcql_query=query)) == {pda1.VCT, pid.VCT}


# --- end to end: registry, issuer, verifier and wallet on loopback --------------------------------------


class World:
    """A running pilot, an inspector, a clerk at the A1 institution, and a fresh wallet per test."""

    def __init__(self, stack: Stack, http: httpx.Client, tmp: Path) -> None:
        self.stack, self.http, self.tmp = stack, http, tmp
        self.clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        self.inspector = Inspector(stack.verifier_url, http)
        self.wallets: list[WalletService] = []

    def wallet(self) -> WalletService:
        """A new wallet holding the worker's PID (the inspection asks for it beside the A1)."""
        wallet: WalletService = open_wallet(self.tmp / f"phone{len(self.wallets)}", self.stack.registry_url, "pw",
                                            fast_kdf=True, pki_dir=self.stack.data_dir / "pki")
        self.wallets.append(wallet)
        self.receive(wallet, self.case(PERSON.pid_provider, "pid", PERSON.pid, holder=None))
        return wallet

    def close(self) -> None:
        for wallet in self.wallets:
            wallet.http.close()

    def case(self, entity: str, config: str, claims: dict[str, Any],
             holder: dict[str, Any] | None = HOLDER) -> tuple[str, str]:
        return entity, self.clerk.create_case(entity, config, claims, holder)

    def a1(self, number: str | None = None) -> tuple[str, str]:
        """A new A1 case: numbered ``number``, or by the issuer."""
        claims = unnumbered(PERSON.pda1)
        return self.case(A1_ISSUER, "pda1", claims if number is None else {**claims, "document_number": number})

    def receive(self, wallet: WalletService, case: tuple[str, str]) -> str:
        offer = self.clerk.offer(*case)
        offer_id, _ = wallet.open_offer(offer["link"])
        groups = wallet.accept_offer(offer_id, offer["tx_code"])
        return groups[0]

    def replace(self, case: tuple[str, str], number: str | None = None) -> tuple[str, str]:
        """The clerk extends the A1 under a new number (``number``, or one the issuer gives); the
        institution withdraws the old one."""
        entity, case_id = case
        claims = {**unnumbered(PERSON.pda1), "ending_date": "2028-03-31"}
        response = self.http.post(
            f"{self.stack.issuer_url}/{demo_entity(entity).path}/api/cases/{case_id}/replace",
            headers={"Authorization": f"Bearer {self.clerk.tokens[entity]}"},
            json={"claims": claims if number is None else {**claims, "document_number": number},
                  "holder": HOLDER, "reason": "posting extended"})
        assert response.status_code == 201, response.text
        return entity, str(response.json()["id"])

    def inspect(self, wallet: WalletService) -> tuple[str, dict[str, Any]]:
        """An inspector's A1 request answered: the card the wallet chose, and the verifier's verdict."""
        request = self.inspector.request("pda1")
        consent = wallet.open_request(request["link"], "en")
        assert consent.satisfiable
        chosen = next(item.group for item in consent.items if item.query_id == "pda1")
        assert wallet.share(consent.id).outcome == "shared"
        verdict: dict[str, Any] = self.inspector.result(request)["verdict"]
        return chosen, verdict


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("replaced")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        world = World(stack, http, tmp_path_factory.mktemp("phones"))
        yield world
        world.close()


def _status(wallet: WalletService, group: str) -> str | None:
    status = wallet.card(group, "en").status
    return status.value if status is not None else None


def test_after_a_replacement_the_wallet_presents_the_new_document(world: World) -> None:
    wallet = world.wallet()
    old_case = world.a1("DEMO-A1-LV-7001")
    world.receive(wallet, old_case)
    new = world.receive(wallet, world.replace(old_case, "DEMO-A1-LV-7002"))
    chosen, verdict = world.inspect(wallet)
    assert chosen == new
    assert verdict["verdict"] == "valid", verdict
    assert [d["document_number"] for d in verdict["person"]["documents"]] == ["DEMO-A1-LV-7002"]


def test_receiving_the_replacement_marks_the_old_document_replaced_and_keeps_it(world: World) -> None:
    wallet = world.wallet()
    ehic = world.receive(wallet, world.case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic)))
    old_case = world.a1()
    old = world.receive(wallet, old_case)
    new = world.receive(wallet, world.replace(old_case))
    assert _status(wallet, old) == "replaced"
    assert {c.group for c in wallet.cards("en")} >= {old, new, ehic}  # nothing deleted: the worker decides
    assert _status(wallet, ehic) is None  # another type from another institution: not this one's business


def test_opening_a_request_checks_the_status_so_a_suspended_document_is_not_offered(world: World) -> None:
    wallet = world.wallet()
    older = world.receive(wallet, world.a1())
    newer_case = world.a1()  # a second posting, not a replacement: both stay valid
    newer = world.receive(wallet, newer_case)
    world.clerk.set_state(*newer_case, "suspend", "checking the employer")
    chosen, verdict = world.inspect(wallet)
    assert chosen == older and verdict["verdict"] == "valid", verdict
    assert _status(wallet, newer) == "suspended"
    world.clerk.set_state(*newer_case, "reinstate", "employer confirmed")
    chosen, verdict = world.inspect(wallet)  # a suspension can be lifted: it is checked again
    assert chosen == newer and verdict["verdict"] == "valid", verdict


def test_when_the_status_list_cannot_be_fetched_the_presentation_goes_ahead(tmp_path: Path) -> None:
    """Best effort (status list §8.3: a failed check allows no statement): the wallet neither blocks
    the presentation nor forgets that the old document was replaced."""
    with start_in_process(tmp_path / "data") as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        world = World(stack, http, tmp_path)
        wallet = world.wallet()
        old_case = world.a1()
        old = world.receive(wallet, old_case)
        new = world.receive(wallet, world.replace(old_case))
        assert _status(wallet, old) == "replaced"
        stack.stop("issuer")  # every status list is out of reach now
        request = world.inspector.request("pda1")
        consent = wallet.open_request(request["link"], "en")
        assert consent.satisfiable
        assert next(item.group for item in consent.items if item.query_id == "pda1") == new
        assert wallet.share(consent.id).outcome == "shared"
        assert _status(wallet, old) == "replaced"
        world.close()


# --- the wallet's pages ------------------------------------------------------------------------------


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def _receive_on_page(browser: httpx.Client, csrf: str, world: World, case: tuple[str, str]) -> None:
    offer = world.clerk.offer(*case)
    page = browser.post("/receive", data={"link": offer["link"], "csrf": csrf})
    action = re.search(r'action="(/receive/[A-Za-z0-9_-]+)"', page.text)
    assert page.status_code == 200 and action is not None, page.text[:500]
    received = browser.post(action.group(1), data={"tx_code": offer["tx_code"], "csrf": csrf})
    assert received.status_code == 200 and 'id="received"' in received.text, received.text[:500]


@pytest.fixture
def wallet_pages(world: World, tmp_path: Path) -> Iterator[ServerHandle]:
    settings = WalletSettings(data_dir=tmp_path, pki_dir=world.stack.data_dir / "pki",
                              registry_url=world.stack.registry_url, allow_loopback_http=True, scrypt_n=2**10,
                              lang="en")
    with serve(wallet_app(settings)) as handle:
        yield handle


def test_the_wallet_pages_show_the_replaced_document_as_replaced(world: World, wallet_pages: ServerHandle) -> None:
    with httpx.Client(base_url=wallet_pages.url, follow_redirects=True, timeout=30) as browser:
        setup = browser.get("/setup")
        cards = browser.post("/setup", data={"passphrase": "correct horse", "passphrase2": "correct horse",
                                             "csrf": _csrf(setup)})
        csrf = _csrf(cards)  # the session's token, on every page from now on
        old_case = world.a1("DEMO-A1-LV-7401")
        _receive_on_page(browser, csrf, world, old_case)
        _receive_on_page(browser, csrf, world, world.replace(old_case, "DEMO-A1-LV-7402"))
        listing = browser.get("/")
        groups = re.findall(r'href="/cards/([0-9a-f]+)"', listing.text)
        pages = {g: browser.get(f"/cards/{g}").text for g in groups}
        old = next(g for g, text in pages.items() if "DEMO-A1-LV-7401" in text)
        new = next(g for g, text in pages.items() if "DEMO-A1-LV-7402" in text)
        assert "replaced by a newer document" in _status_cell(pages[old]).lower()
        assert "replaced" not in _status_cell(pages[new]).lower()
        old_tile = listing.text.split(f'href="/cards/{old}"', 1)[1].split("</a>", 1)[0]
        assert "Replaced by a newer document." in old_tile  # the list of cards says it too


def _status_cell(page: str) -> str:
    found = re.search(r'<dd id="status">(.*?)</dd>', page, re.S)
    assert found is not None
    return found.group(1)


def test_a_document_whose_mdoc_form_fails_still_arrives_and_the_issuer_hears_which_failed(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenID4VCI 1.0 §11.1: each batch is accepted or failed on its own. The fault is injected in this
    wallet's own check of the mdoc (the issuer and everything on the wire are real)."""
    from credentials.errors import MalformedError

    wallet = world.wallet()
    case = world.a1()

    def unreadable(*_args: Any, **_kwargs: Any) -> Any:
        raise MalformedError("this phone cannot read ISO mdoc")

    monkeypatch.setattr(core, "verify_issued_mdoc", unreadable)
    group = world.receive(wallet, case)
    forms = {c.format for c in wallet.credentials() if c.group == group}
    assert forms == {"dc+sd-jwt"}
    entity, case_id = case
    record = world.http.get(f"{world.stack.issuer_url}/{demo_entity(entity).path}/api/cases/{case_id}",
                            headers={"Authorization": f"Bearer {world.clerk.tokens[entity]}"}).json()
    notifications = {r["notification"] for r in record["credential_records"]}
    assert notifications == {"credential_accepted", "credential_failure"}, record["credential_records"]
    # The clerk's case history says that, and the wallet's reason.
    assert [(e["action"], e["reason"]) for e in record["events"] if e["actor"] == "wallet"] == [
        ("wallet_failure", "malformed")]


def test_a_document_found_valid_minutes_ago_is_shown_without_asking_its_status_list_again(world: World) -> None:
    """Each list fetched keeps the worker waiting and tells the institution when its document is
    shown: a document confirmed valid within ten minutes is presented as it is (the verifier checks)."""
    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    assert wallet.check_status(group).value == "valid"
    asked: list[str] = []
    wallet.http.event_hooks["request"].append(lambda request: asked.append(request.url.path))
    chosen, verdict = world.inspect(wallet)
    assert chosen == group and verdict["verdict"] == "valid", verdict
    assert not [path for path in asked if path.startswith("/lv-vsaa/status/")], asked  # the PID was never checked


def test_a_document_removed_while_a_request_waits_is_not_sent(world: World) -> None:
    """Nothing of it reaches the inspector but the refusal (OpenID4VP §8.5 access_denied), which ends
    the inspector's wait."""
    from wallet.errors import NotFoundError

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    wallet.delete(group)
    with pytest.raises(NotFoundError):
        wallet.share(consent.id)
    wallet.wait_revocations()
    result = world.inspector.result(request)
    assert (result["status"], result["verdict"]["verdict"]) == ("error", "refused"), result
    assert not result["verdict"]["credentials"], result


def test_a_copy_is_used_up_even_when_the_verifier_fails_after_taking_it(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two verifiers must not receive the same signature and key while an unused copy is left
    (OpenID4VCI §8 batches): the copy counts as used before it leaves. The fault is injected on the
    wallet's own sending step."""
    from credentials.errors import ProtocolError
    from wallet import service as wallet_service

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())

    def verifier_fails(*_args: Any, **_kwargs: Any) -> Any:
        raise ProtocolError("server_error", "the verifier failed after reading the answer")

    sent = []
    for _ in range(2):
        consent = wallet.open_request(world.inspector.request("pda1")["link"], "en")
        before = {c.id: c.used for c in wallet.credentials() if c.group == group and c.format == "dc+sd-jwt"}
        with monkeypatch.context() as patch:
            patch.setattr(wallet_service, "post_response", verifier_fails)
            with pytest.raises(ProtocolError):
                wallet.share(consent.id)
        after = {c.id: c.used for c in wallet.credentials() if c.group == group and c.format == "dc+sd-jwt"}
        sent += [copy for copy in after if after[copy] > before[copy]]
    assert len(sent) == 2 and sent[0] != sent[1]
    assert [e.outcome for e in wallet.log()][:2] == ["failed", "failed"]


def _wallet_error(result: dict[str, Any]) -> tuple[str, str, str | None]:
    """A check's status, verdict and the wallet's error code, as the inspector's page reads them."""
    return result["status"], result["verdict"]["verdict"], result["verdict"].get("wallet_error")


def test_an_answer_that_cannot_be_made_tells_the_inspector_and_the_worker(world: World) -> None:
    """The worker's stored key of the document cannot be read: the request, taken for the answer, was
    left unanswered and the inspector's page waited until it expired; now the verifier hears OpenID4VP
    §8.5 server_error (a technical failure, never the worker's no) and the worker that it was told."""
    from wallet.errors import NotAnsweredError
    from wallet.messages import explain

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    with wallet.store.transaction() as doc:
        for stored in doc["credentials"]:
            if stored["group"] == group:
                stored["private_key"] = "-----BEGIN PRIVATE KEY-----\ndamaged\n-----END PRIVATE KEY-----\n"
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    with pytest.raises(NotAnsweredError) as failed:
        wallet.share(consent.id)
    assert _wallet_error(world.inspector.result(request)) == ("error", "undetermined", "server_error")
    said = explain(failed.value.code, failed.value.message, "en")
    assert "has told the inspector that none comes" in said and "stored holder key is damaged" in said, said
    assert (wallet.log()[0].outcome, wallet.log()[0].detail) == ("failed", "stored holder key is damaged")


def test_an_answer_the_verifier_refuses_is_followed_by_the_error_that_ends_the_wait(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifier's response_uri refuses the answer (ours releases the request then: the wallet may try
    again, which it never does, the copy being used): it is told in the background that no answer comes
    (§8.5 server_error). The fault is injected on the wallet's own sending step, the answer only."""
    from credentials.errors import ProtocolError
    from wallet import service as wallet_service
    from wallet.present_client import post_response as send

    wallet = world.wallet()
    world.receive(wallet, world.a1())
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    posts: list[dict[str, str]] = []

    def refused_answer(http: Any, uri: str, form: dict[str, str], **kw: Any) -> Any:
        posts.append(form)
        if len(posts) == 1:  # the answer (encrypted, direct_post.jwt: told from the error by its place only)
            raise ProtocolError("invalid_request", "the verifier refused the answer")
        return send(http, uri, form, **kw)

    monkeypatch.setattr(wallet_service, "post_response", refused_answer)
    with pytest.raises(ProtocolError):
        wallet.share(consent.id)
    wallet.wait_revocations()
    assert len(posts) == 2
    assert _wallet_error(world.inspector.result(request)) == ("error", "undetermined", "server_error")


def test_each_offline_qr_uses_the_next_copy_and_is_recorded(world: World) -> None:
    from credentials import compact

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    codes = [wallet.offline_qr(group) for _ in range(2)]
    assert len({compact.parse_qr(code).credential for code in codes}) == 2  # two copies, two keys
    shown = [e for e in wallet.log() if e.outcome == "shown"]
    # One line per showing the worker asked for (renewing a code on screen is none: the next test).
    assert len(shown) == 2 and all("birthdate" in e.claims and "document_number" in e.claims for e in shown)


def test_renewing_a_shown_offline_qr_signs_with_the_same_copy_and_counts_nothing(world: World) -> None:
    """The rule: one showing (the worker asked) is one copy and one line in the history; while it is on
    screen (10 minutes at most) the code is signed again, over the time or the inspector's challenge,
    with that copy: the inspector in front of the worker has seen it already."""
    from credentials import compact
    from wallet.errors import NotFoundError

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    showing = wallet.show_offline_qr(group)
    used = {c.id: c.used for c in wallet.credentials() if c.group == group}
    renewed = [wallet.renew_offline_qr(showing.id).text, wallet.renew_offline_qr(showing.id, b"K7Q2").text]
    assert {compact.parse_qr(code).credential for code in renewed} == {compact.parse_qr(showing.text).credential}
    assert {c.id: c.used for c in wallet.credentials() if c.group == group} == used
    assert len([e for e in wallet.log() if e.outcome == "shown"]) == 1
    later = WalletService(wallet.settings, wallet.store, http=wallet.http, trust=wallet.trust,
                          clock=lambda: datetime.now(UTC) + timedelta(minutes=11), items=wallet.items)
    with pytest.raises(NotFoundError):  # over: a new showing is asked for, and counted
        later.renew_offline_qr(showing.id)


# --- what the worker is told before a document that is not valid leaves -----------------------------


def test_the_consent_says_a_suspended_document_is_not_valid_and_so_does_the_result(world: World) -> None:
    from credentials import ehic

    wallet = world.wallet()
    case = world.case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    group = world.receive(wallet, case)
    world.clerk.set_state(*case, "suspend", "checking the insurance")
    assert wallet.check_status(group).value == "suspended"
    request = world.inspector.request("ehic")
    consent = wallet.open_request(request["link"], "en")
    item = next(i for i in consent.items if i.group == group)
    assert item.warning == "suspended" and "suspended this document" in item.notice
    assert next(i for i in consent.items if i.query_id.startswith("pid")).warning is None
    outcome = wallet.share(consent.id)  # the worker's decision: told, not stopped
    assert outcome.outcome == "shared" and outcome.warnings == (item.notice,)
    assert world.inspector.result(request)["verdict"]["verdict"] == "invalid"
    assert wallet.card(group, "en").vct == ehic.VCT


def test_an_a1_whose_period_ended_yesterday_is_ended_and_the_consent_says_so(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token is good until its last day has ended everywhere (UTC-12), half a day into the next in
    UTC: the wallet goes by the document's own date, on the worker's calendar (here: tomorrow's)."""
    today = datetime.now(UTC).date()
    wallet = world.wallet()
    period = {"starting_date": (today - timedelta(days=30)).isoformat(), "ending_date": today.isoformat()}
    group = world.receive(wallet, world.case(A1_ISSUER, "pda1", {**unnumbered(PERSON.pda1), **period}))
    assert wallet.card(group, "en").period == "current" and wallet.card(group, "en").warning is None
    monkeypatch.setattr(WalletService, "today", lambda _self: today + timedelta(days=1))
    # The consent judges on the inspector's calendar (its state's zone): tomorrow there too.
    monkeypatch.setattr(WalletService, "verifiers_today", lambda _self, _country: today + timedelta(days=1))
    card = wallet.card(group, "en")
    assert (card.period, card.warning, card.valid_until) == ("ended", "ended", today.isoformat())
    consent = wallet.open_request(world.inspector.request("pda1")["link"], "en")
    item = next(i for i in consent.items if i.group == group)
    assert item.warning == "ended" and "a period that has ended" in item.notice  # the proof of that period
    wallet.decline(consent.id)


def _in_process_cli(world: World, wallet: WalletService, monkeypatch: pytest.MonkeyPatch) -> None:
    """``esspass wallet ...`` in this process on ``wallet``'s file (its passphrase, the stack's registry)."""
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(wallet.settings.data_dir))
    monkeypatch.setenv("ESSPASS_WALLET_PKI_DIR", str(world.stack.data_dir / "pki"))
    monkeypatch.setenv("ESSPASS_WALLET_REGISTRY_URL", world.stack.registry_url)
    monkeypatch.setenv("ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP", "true")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "pw")


def test_the_terminal_warns_before_a_withdrawn_a1_leaves_even_with_yes(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main

    wallet = world.wallet()
    case = world.a1()
    group = world.receive(wallet, case)
    world.clerk.set_state(*case, "revoke", "the posting ended early")
    _in_process_cli(world, wallet, monkeypatch)
    assert wallet_main(["status", group]) == 2
    assert "Withdrawn" in capsys.readouterr().out
    request = world.inspector.request("pda1")
    assert wallet_main(["present", request["link"], "--yes"]) == 0
    out = capsys.readouterr().out
    assert "the issuer has withdrawn this document" in out.split("Nothing else is sent")[0], out
    assert "the issuer has withdrawn this document" in out.split("Nothing else is sent")[1], out  # and after
    assert world.inspector.result(request)["verdict"]["verdict"] == "invalid"
    assert wallet_main(["qr", group]) == 0
    said = capsys.readouterr()
    assert said.out.startswith("EP1:") and "the issuer has withdrawn this document" in said.err


def test_the_history_names_what_left_in_the_workers_language_once_each(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main
    from wallet.service import logged_claims

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    wallet.share(wallet.open_request(world.inspector.request("pda1")["link"], "en").id)
    wallet.offline_qr(group)
    shown, shared = wallet.log()[:2]
    assert len(shared.claims) > len(set(shared.claims))  # the premise: the PID and the A1 both show some
    words = logged_claims(shared, "lv")
    assert len(words) == len(set(words)) and not any("_" in w for w in words), words
    assert {"Personas kods", "Dokumenta numurs", "Uzvārds"} <= set(words), words
    assert "Dzimšanas datums" in logged_claims(shown, "lv")
    _in_process_cli(world, wallet, monkeypatch)
    assert wallet_main(["--lang", "lv", "log"]) == 0
    out = capsys.readouterr().out
    assert "Bezsaistes QR kods" in out and "offline QR code" not in out and "document_number" not in out


def test_the_terminal_sends_the_first_option_and_leaves_out_what_a_later_one_does_without_when_asked(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``present`` sends the verifier's first option the documents satisfy (OpenID4VP §6.4.1;
    ``--with-optional`` says the default); what a later option does without is listed apart, each with
    what leaving it out means, and ``--only-required`` leaves it out. The PID's personal number is in
    every option (the holder link needs it)."""
    from wallet.cli import main as wallet_main

    wallet = world.wallet()
    world.receive(wallet, world.a1())
    _in_process_cli(world, wallet, monkeypatch)
    assert wallet_main(["present", world.inspector.request("pda1")["link"], "--no"]) == 3
    listed = capsys.readouterr().out
    pid_part = listed.split("From: Person identification data")[1]
    assert f"- Personal identification number: {PERSON.pid['personal_administrative_number']}\n" in pid_part
    assert "--only-required" in listed and "(optional)" not in listed
    assert re.search(r"- [^\n]+: Leaving out your places of work: the inspector cannot see", listed), listed
    assert "- Family name: Bērziņa\n" in listed  # what every option asks is not optional
    assert "- Issuing country: Latvia\n" in pid_part  # nor what the PID shows in plain view: it leaves anyway
    for flags, places in (([], 1), (["--with-optional"], 1), (["--only-required"], 0)):
        request = world.inspector.request("pda1")
        assert wallet_main(["present", request["link"], "--yes", *flags]) == 0
        capsys.readouterr()
        assert wallet.log()[0].claims.count("work_address") == places, (flags, wallet.log()[0].claims)
        verdict = world.inspector.result(request)["verdict"]
        assert verdict["verdict"] == "valid" and verdict["reason_key"] != "holder_link.withheld", verdict


def test_valid_until_is_the_documents_own_last_day(
        world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The copy's exp is not the document's end: an A1's copies outlive its period (the proof of it,
    issuer.service.credential_end), within the signer certificate's validity; "valid until" is the
    document's own last day."""
    from wallet.cli import main as wallet_main

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    card = wallet.card(group, "en")
    assert datetime.fromtimestamp(card.exp or 0, UTC).date().isoformat() > "2027-10-01"  # the premise
    assert card.valid_until == PERSON.pda1["ending_date"] == "2027-09-30"
    _in_process_cli(world, wallet, monkeypatch)
    assert wallet_main(["show", group]) == 0
    assert "Valid until: 30 September 2027" in capsys.readouterr().out


def test_a_second_offer_of_the_same_document_takes_the_place_of_its_card(world: World) -> None:
    """Same type, issuer and document number: the card is renewed (its address and history stay, its
    copies are fresh), not doubled."""
    wallet = world.wallet()
    case = world.a1()
    first = world.receive(wallet, case)
    consent = wallet.open_request(world.inspector.request("pda1")["link"], "en")
    wallet.share(consent.id)
    before = {c.id for c in wallet.credentials() if c.group == first}
    again = world.receive(wallet, case)
    assert again == first
    cards = [c for c in wallet.cards("en") if c.vct == pda1.VCT]
    assert len(cards) == 1 and cards[0].unused == cards[0].copies
    assert not before & {c.id for c in wallet.credentials()}  # the old copies and their keys are gone
    assert any(e.outcome == "shared" and first in e.credentials for e in wallet.log())


def test_a_pid_without_a_document_number_offered_again_takes_the_place_of_its_card(world: World) -> None:
    """A PID's number is optional (PID Rulebook): the same provider's PID of the same person is one card
    (its copies fresh), while another person's PID from that provider stays a card of its own."""
    wallet = world.wallet()  # holds the worker's PID, which has no number
    [held] = [c for c in wallet.cards("en") if c.vct == pid.VCT]
    before = {c.id for c in wallet.credentials() if c.group == held.group}
    again = world.receive(wallet, world.case(PERSON.pid_provider, "pid", PERSON.pid, holder=None))
    assert again == held.group
    assert [c.group for c in wallet.cards("en") if c.vct == pid.VCT] == [held.group]
    assert not before & {c.id for c in wallet.credentials()}  # the old copies and their keys are gone
    child = {**PERSON.pid, "given_name": "Līga", "birthdate": "2015-03-02"}
    child.pop("personal_administrative_number", None)
    other = world.receive(wallet, world.case(PERSON.pid_provider, "pid", child, holder=None))
    assert other != held.group
    assert len([c for c in wallet.cards("en") if c.vct == pid.VCT]) == 2


def _offer_in_forms(world: World, wallet: WalletService, case: tuple[str, str], *forms: str) -> list[str]:
    """The case offered again and taken in ``forms`` only (as an issuer that offers one form, or one
    whose other form it defers, hands it over): the card groups received."""
    offer = world.clerk.offer(*case)
    offer_id, resolved = wallet.open_offer(offer["link"])
    only = replace(resolved, offered=tuple(o for o in resolved.offered if o.format in forms))
    assert {o.format for o in only.offered} == set(forms)  # the premise: the issuer offers these forms
    wallet.items.offers[offer_id] = (only, time.monotonic())
    return wallet.accept_offer(offer_id, offer["tx_code"])


def _forms(wallet: WalletService, group: str) -> dict[str, set[str]]:
    """The copies a card holds, by form."""
    held: dict[str, set[str]] = {}
    for copy in wallet.credentials():
        if copy.group == group:
            held.setdefault(copy.format, set()).add(copy.id)
    return held


@pytest.mark.parametrize(("renewed", "kept"), [("mso_mdoc", "dc+sd-jwt"), ("dc+sd-jwt", "mso_mdoc")])
def test_a_second_offer_of_the_same_document_in_one_form_renews_that_form_only(
        world: World, renewed: str, kept: str) -> None:
    """The card's other form stays as it was, with its keys (and the offline QR code, which only the
    SD-JWT VC copies carry): a second offer brings what it brings, and replaces nothing else."""
    wallet = world.wallet()
    case = world.a1()
    group = world.receive(wallet, case)
    before = _forms(wallet, group)
    assert set(before) == {"dc+sd-jwt", "mso_mdoc"} and wallet.card(group, "en").offline  # the premise
    assert _offer_in_forms(world, wallet, case, renewed) == [group]  # it took the card's place
    after = _forms(wallet, group)
    assert after.get(kept) == before[kept], f"the {kept} form was erased: forms now {sorted(after)}"
    assert after[renewed] and not after[renewed] & before[renewed]  # that form's copies are the new ones
    assert wallet.card(group, "en").offline
    assert len([c for c in wallet.cards("en") if c.vct == pda1.VCT]) == 1


def test_the_half_of_an_offer_that_comes_later_joins_the_card_the_first_half_made(world: World) -> None:
    """An offer whose forms arrive apart (one now, the other after a deferral, OpenID4VCI §8.3 and §9:
    both stored through the same "same document" rule): the later half joins the card, and erases
    nothing of what arrived first."""
    wallet = world.wallet()
    case = world.a1()
    [group] = _offer_in_forms(world, wallet, case, "mso_mdoc")
    first = _forms(wallet, group)
    assert set(first) == {"mso_mdoc"}  # the premise
    assert _offer_in_forms(world, wallet, case, "dc+sd-jwt") == [group]
    after = _forms(wallet, group)
    assert after.get("mso_mdoc") == first["mso_mdoc"], f"the half that came first was erased: forms now {sorted(after)}"
    assert after["dc+sd-jwt"] and wallet.card(group, "en").offline


def test_renewing_a_card_closes_the_request_and_the_showing_of_its_old_copies(world: World) -> None:
    """As removing it does: a request waiting for consent was shown the old copy's values, and an
    offline QR code on screen signs with the old copy. Each is closed, and the worker told why when
    turning to it; nothing reaches the inspector. A request opened by another wallet process (the
    page server, while the terminal took the offer) is refused when agreed to, for the same reason."""
    from wallet.errors import NotFoundError

    wallet = world.wallet()
    case = world.a1()
    group = world.receive(wallet, case)
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    elsewhere = WalletService(wallet.settings, wallet.store, http=wallet.http, trust=wallet.trust)  # its own items
    other_request = world.inspector.request("pda1")
    other = elsewhere.open_request(other_request["link"], "en")
    showing = wallet.show_offline_qr(group)
    world.receive(wallet, world.case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic)))
    not_a1 = wallet.open_request(world.inspector.request("ehic")["link"], "en")  # the EHIC and the PID
    assert world.receive(wallet, case) == group
    attempts: list[tuple[Callable[[], object], str]] = [
        (lambda: wallet.share(consent.id), "renewed in the wallet meanwhile; nothing was sent"),
        (lambda: wallet.pending_request(consent.id), "renewed in the wallet meanwhile; nothing was sent"),
        (lambda: elsewhere.share(other.id), "renewed in the wallet meanwhile; nothing was sent"),
        (lambda: wallet.showing(showing.id), "renewed in the wallet meanwhile, and this QR code showed its old"),
        (lambda: wallet.renew_offline_qr(showing.id), "renewed in the wallet meanwhile, and this QR code showed"),
    ]
    for attempt, said in attempts:
        with pytest.raises(NotFoundError, match=said):
            attempt()
    assert world.inspector.result(request)["status"] == "pending"  # nothing reached the inspector
    assert world.inspector.result(other_request)["status"] == "pending"
    assert wallet.pending_request(not_a1.id) == not_a1  # a request the renewal does not concern stays open
    wallet.decline(not_a1.id)
    removed = wallet.show_offline_qr(group)
    wallet.delete(group)
    with pytest.raises(NotFoundError, match="removed from the wallet"):
        wallet.renew_offline_qr(removed.id)


def test_an_a1_in_the_eudi_reference_model_is_read_for_its_dates_and_its_number(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its period is under ``legislation`` and its number is ``document_id`` (credentials.eudi_pda1):
    read as a verifier reads it, its card says "ended" after its last day, and a second offer of it
    takes its card's place."""
    from credentials import eudi_pda1
    from wallet.service import _in_place_of_same

    claims = {"document_id": "EUDI-A1-0001", "issuing_country": "LV", "expiry_date": "2027-09-30",
              "legislation": {"member_state": "LV", "starting_date": "2026-10-01", "ending_date": "2027-09-30"},
              "competent_institution": {"institution_id": "LV:VSAA", "institution_name": "VSAA", "country_code": "LV"}}
    held = replace(_stored("eudi", "", iat=1_000), vct=eudi_pda1.VCT, claims=claims)
    wallet = world.wallet()
    with wallet.store.transaction() as doc:
        doc["credentials"].append(held.to_dict())
    card = wallet.card("eudi", "en")
    assert (card.valid_from, card.valid_until, card.period) == ("2026-10-01", "2027-09-30", "current")
    monkeypatch.setattr(WalletService, "today", lambda _self: date(2027, 10, 1))
    assert wallet.card("eudi", "en").warning == "ended"
    again = replace(held, id="again", group="again")
    doc = {"credentials": [held.to_dict()]}
    new, groups, erased = _in_place_of_same(doc, [again], ["again"])
    assert groups == ["eudi"] and [c.group for c in new] == ["eudi"] and [c.id for c in erased] == [held.id]


@pytest.mark.parametrize(("ending", "left"), [
    # A corrected period sent as mdoc only: the old SD-JWT VC would say otherwise, and goes too.
    ("2028-03-31", set()),
    # The same document sent again as mdoc only: the SD-JWT VC still says the same, and stays.
    (PERSON.pda1["ending_date"], {"sd"}),
])
def test_after_a_renewal_in_one_form_the_forms_a_card_holds_agree(ending: str, left: set[str]) -> None:
    """A second offer of the same document (its number) in one form (the other failed) renews that
    form; the card's other form stays only while it says the same (wallet.core.same_forms): if not,
    it is erased with its keys, the newest delivery being the institution's current document, and
    the card shows what arrived."""
    from wallet.service import _in_place_of_same

    held_sd = replace(_stored("card", "A1-LV-0001", iat=1_000), id="sd")
    held_md = replace(held_sd, id="md", format="mso_mdoc")
    renewal = replace(held_md, id="new-md", group="new", claims={**held_md.claims, "ending_date": ending})
    doc = {"credentials": [held_sd.to_dict(), held_md.to_dict()]}
    new, groups, erased = _in_place_of_same(doc, [renewal], ["new"])
    doc["credentials"].extend(c.to_dict() for c in new)
    assert groups == ["card"] and {c.id for c in erased} == {"md"} | ({"sd"} - left)
    forms = [StoredCredential.from_dict(c) for c in doc["credentials"]]
    assert {c.id for c in forms} == {"new-md"} | left and {c.group for c in forms} == {"card"}
    core.same_forms(forms)  # what the card holds agrees
    assert all(c.claims["ending_date"] == ending for c in forms)


def test_the_worker_may_leave_out_what_the_request_marks_optional(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inspection's claim sets (OpenID4VP §6.4.1) leave out the portrait and the A1's places of
    work: only what can be held back is optional. The PID's personal number is in every set of the
    query it answers (the holder link needs it), its expiry date and issuing country are in plain view
    in every presentation (not selectively disclosable): listed as leaving, not offered to be left
    out. Left out, the wallet answers the largest set without what was unticked, none of it leaves,
    and the inspector's verdict is still reached, the documents tied by the number."""
    from credentials import sd_jwt

    wallet = world.wallet()
    world.receive(wallet, world.a1())
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    assert consent.choosing
    pid_item = next(i for i in consent.items if i.query_id.startswith("pid"))
    pid_copy = next(c for c in wallet.credentials() if c.group == pid_item.group and c.format == "dc+sd-jwt")
    assert {("issuing_country",), ("date_of_expiry",)} <= set(core.always_visible(pid_copy.credential))  # premise
    listed = {c.path[0]: c.optional for c in pid_item.claims}
    assert listed == {"family_name": False, "given_name": False, "birthdate": False, "date_of_expiry": False,
                      "personal_administrative_number": False, "issuing_country": False}, listed
    a1_item = next(i for i in consent.items if i.query_id.startswith("pda1"))
    # The A1's places of work are asked in its first claim set only (either shape, or none named): the one
    # thing the worker may hold back here (the demo PID has no portrait).
    assert {c.path[0] for c in a1_item.claims if c.optional} == {"work_address"}, a1_item.claims
    assert consent.optional_claims == tuple((a1_item.query_id, c.path) for c in a1_item.claims if c.optional)
    sent: list[dict[str, Any]] = []
    real_present = core.present

    def spy(credential: str, paths: Any, key: Any, **kw: Any) -> str:
        presentation = real_present(credential, paths, key, **kw)
        sent.append(sd_jwt.unverified_claims(presentation))
        return presentation

    monkeypatch.setattr(core, "present", spy)
    assert wallet.share(consent.id, consent.optional_claims).outcome == "shared"
    a1_sent = next(claims for claims in sent if "employer" in claims)
    assert "work_address" not in a1_sent  # what was unticked stays on the phone
    pid_sent = next(claims for claims in sent if pid.is_pid_type(claims.get("vct")))  # the A1 names them too
    assert {"issuing_country", "date_of_expiry", "personal_administrative_number"} <= set(pid_sent)
    assert wallet.log()[0].claims.count("personal_administrative_number") == 2  # the A1's and the PID's
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "valid" and verdict["reason_key"] != "holder_link.withheld", verdict
    assert {c["query_id"]: c["verdict"] for c in verdict["credentials"]} == {"pda1": "valid", "pid": "valid"}


# --- the wallet's pages: what a card view, a lock and a reload do -----------------------------------


@contextmanager
def _open_pages(pages: ServerHandle, lang: str = "en") -> Iterator[tuple[httpx.Client, str]]:
    """A browser on the wallet's pages with a new wallet, and the session's form token."""
    with httpx.Client(base_url=pages.url, follow_redirects=True, timeout=30,
                      cookies={"esspass_wallet_lang": lang}) as browser:
        setup = browser.get("/setup")
        cards = browser.post("/setup", data={"passphrase": "correct horse", "passphrase2": "correct horse",
                                             "csrf": _csrf(setup)})
        yield browser, _csrf(cards)


def _group_on_page(browser: httpx.Client, vct: str) -> str:
    found = re.search(rf'href="/cards/([0-9a-f]+)" data-vct="{re.escape(vct)}"', browser.get("/").text)
    assert found is not None
    return found.group(1)


def _copies(page: str) -> str:
    found = re.search(r'<dd id="copies">([^<]*)</dd>', page)
    assert found is not None
    return found.group(1)


def test_viewing_a_card_signs_and_counts_nothing_and_a_showing_counts_once(
        world: World, wallet_pages: ServerHandle) -> None:
    from credentials import compact
    from credentials.qr_picture import read_qr

    with _open_pages(wallet_pages) as (browser, csrf):
        _receive_on_page(browser, csrf, world, world.a1())
        group = _group_on_page(browser, pda1.VCT)
        views = [browser.get(f"/cards/{group}").text for _ in range(3)]
        assert {_copies(v) for v in views} == {"3 / 3"}
        assert '<dd id="valid-until">30 September 2027</dd>' in views[0]  # the A1's ending_date, not exp's day
        assert "qr.png" not in views[0] and 'id="show-qr"' in views[0]
        assert browser.get(f"/cards/{group}/qr.png").status_code in (404, 405)  # no image signs on a GET
        assert "Nothing shown yet." in browser.get("/log").text
        shown = browser.post(f"/cards/{group}/qr", data={"csrf": csrf})
        assert shown.status_code == 200 and "/showings/" in str(shown.url)
        image = re.search(r'<img id="offline-qr" src="([^"]+)"', shown.text)
        assert image is not None
        codes = {compact.parse_qr(read_qr(browser.get(url).content)).credential
                 for url in (image.group(1), f"{image.group(1)}?challenge=K7Q2&t=1", image.group(1))}
        assert len(codes) == 1  # renewed with the copy the showing began with
        assert browser.get(str(shown.url)).status_code == 200  # a reload of the page counts nothing either
        assert _copies(browser.get(f"/cards/{group}").text) == "2 / 3"
        history = browser.get("/log").text
        assert history.count('class="card log shown"') == 1 and "offline QR code" not in history
        assert "Offline QR code" in history and "Document number" in history and "document_number" not in history


def test_the_consent_and_result_pages_say_a_suspended_document_is_not_valid(
        world: World, wallet_pages: ServerHandle) -> None:
    from credentials import ehic

    with _open_pages(wallet_pages, "de") as (browser, csrf):
        case = world.case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
        _receive_on_page(browser, csrf, world, world.case(PERSON.pid_provider, "pid", PERSON.pid, holder=None))
        _receive_on_page(browser, csrf, world, case)
        world.clerk.set_state(*case, "suspend", "checking the insurance")
        group = _group_on_page(browser, ehic.VCT)
        checked = browser.post(f"/cards/{group}/status", data={"csrf": csrf})
        assert "ausgesetzt" in _status_cell(checked.text)
        consent = browser.post("/present", data={"link": world.inspector.request("ehic")["link"], "csrf": csrf})
        warning = re.search(r'<p class="warning" role="alert" id="warning-ehic" data-warning="suspended">([^<]+)',
                            consent.text)
        assert warning is not None and "ausgesetzt" in warning.group(1), consent.text[:3000]
        share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
        assert share is not None
        result = browser.post(share.group(1), data={"csrf": csrf})
        assert 'id="warned"' in result.text and "ausgesetzt" in result.text.split('id="warned"')[1]


def test_after_the_wallet_locks_share_and_add_lead_back_to_the_open_request_and_offer(
        world: World, wallet_pages: ServerHandle) -> None:
    def lock_then_press(browser: httpx.Client, csrf: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Lock, press the form's button (POST only), unlock: the page of the form again."""
        browser.post("/lock", data={"csrf": csrf})
        refused = browser.post(action, data=data, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/unlock?"), refused.text
        unlock = browser.get(refused.headers["location"])
        back_to = re.search(r'name="next" value="([^"]+)"', unlock.text)
        assert back_to is not None
        back = browser.post("/unlock", data={"passphrase": "correct horse", "csrf": _csrf(unlock),
                                             "next": back_to.group(1)})
        assert back.status_code == 200, back.text[:500]
        return back

    with _open_pages(wallet_pages) as (browser, csrf):
        _receive_on_page(browser, csrf, world, world.case(PERSON.pid_provider, "pid", PERSON.pid, holder=None))
        offer = world.clerk.offer(*world.a1())
        page = browser.post("/receive", data={"link": offer["link"], "csrf": csrf})
        accept = re.search(r'action="(/receive/[A-Za-z0-9_-]+)"', page.text)
        assert accept is not None
        again = lock_then_press(browser, csrf, accept.group(1), {"tx_code": offer["tx_code"], "csrf": csrf})
        assert str(again.url).endswith(accept.group(1)) and 'id="accept"' in again.text  # the offer, still open
        csrf = _csrf(again)
        received = browser.post(accept.group(1), data={"tx_code": offer["tx_code"], "csrf": csrf})
        assert 'id="received"' in received.text
        request = world.inspector.request("pda1")
        consent = browser.post("/present", data={"link": request["link"], "csrf": csrf})
        share = re.search(r'action="(/present/([^"/]+)/share)"', consent.text)
        assert share is not None
        again = lock_then_press(browser, csrf, share.group(1), {"csrf": csrf})
        assert str(again.url).endswith(f"/present/{share.group(2)}") and 'id="share"' in again.text
        result = browser.post(share.group(1), data={"csrf": _csrf(again)})
        assert 'id="shared"' in result.text
        assert world.inspector.result(request)["verdict"]["verdict"] == "valid"


def test_forms_redirect_so_that_a_reload_repeats_nothing(world: World, wallet_pages: ServerHandle) -> None:
    with _open_pages(wallet_pages) as (browser, csrf):
        _receive_on_page(browser, csrf, world, world.a1())
        group = _group_on_page(browser, pda1.VCT)
        checked = browser.post(f"/cards/{group}/status", data={"csrf": csrf}, follow_redirects=False)
        assert (checked.status_code, checked.headers["location"]) == (303, f"/cards/{group}")
        assert "Valid: the issuer has not withdrawn it." in browser.get(f"/cards/{group}").text
        removed = browser.post(f"/cards/{group}/delete", data={"csrf": csrf}, follow_redirects=False)
        assert (removed.status_code, removed.headers["location"]) == (303, "/")
        home = browser.get("/")
        assert 'id="deleted"' in home.text
        reloaded = browser.get("/")  # a reload shows the list, not "There is no such document"
        assert reloaded.status_code == 200 and 'id="deleted"' not in reloaded.text


def test_a_used_offer_and_a_wrong_code_are_said_in_latvian_whole(world: World, wallet_pages: ServerHandle) -> None:
    with _open_pages(wallet_pages, "lv") as (browser, csrf):
        offer = world.clerk.offer(*world.a1())
        page = browser.post("/receive", data={"link": offer["link"], "csrf": csrf})
        accept = re.search(r'action="(/receive/[A-Za-z0-9_-]+)"', page.text)
        assert accept is not None
        wrong = "000000" if offer["tx_code"] != "000000" else "111111"
        refused = browser.post(accept.group(1), data={"tx_code": wrong, "csrf": csrf})
        said = re.search(r'<p id="error-text">([^<]+)</p>', refused.text)
        assert said is not None and "Kods ir nepareizs. Atlikušie mēģinājumi: 4." == said.group(1), said
        browser.post(accept.group(1), data={"tx_code": offer["tx_code"], "csrf": csrf})
        used = browser.post("/receive", data={"link": offer["link"], "csrf": csrf})
        said = re.search(r'<p id="error-text">([^<]+)</p>', used.text)
        assert said is not None and said.group(1).startswith("Iestāde šo piedāvājumu nezina"), said
        assert "offer" not in said.group(1) and "Fetching" not in said.group(1)


def test_the_consent_page_ticks_the_first_option_and_offers_to_untick_what_a_later_one_does_without(
        world: World, wallet_pages: ServerHandle) -> None:
    """The verifier's first option the documents satisfy is ticked (OpenID4VP §6.4.1); what a later
    option does without has a box, with what leaving it out means. Share as the page stands sends the
    first option, and the inspector reaches a valid verdict."""
    with _open_pages(wallet_pages) as (browser, csrf):
        _receive_on_page(browser, csrf, world, world.case(PERSON.pid_provider, "pid", PERSON.pid, holder=None))
        _receive_on_page(browser, csrf, world, world.a1())
        request = world.inspector.request("pda1")
        consent = browser.post("/present", data={"link": request["link"], "csrf": csrf})
        boxes = re.findall(r'<input type="checkbox" form="share-form" name="keep" value="((?:pid|pda1):\d+)"[^>]*>'
                           r' <span class="label">([^<]+)</span>', consent.text)
        assert boxes and all(value.startswith("pda1:") for value, _label in boxes), boxes  # the place of work
        assert all(re.search(r"\bchecked\b", box)
                   for box in re.findall(r'<input type="checkbox"[^>]*name="keep"[^>]*>', consent.text))
        # Not optional: the PID's number (the link needs it), its expiry date and issuing country (plain view).
        pid_part = consent.text.split('data-query="pid"')[1].split("</ul>")[0]
        for label in ("Personal identification number", "Issuing country", "Expiry date"):
            assert f'<li><span class="label">{label}</span>' in pid_part, pid_part
        assert 'name="choosing" value="1"' in consent.text and 'id="leave-out-help"' in consent.text
        share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
        assert share is not None
        result = browser.post(share.group(1), data={"csrf": csrf, "choosing": "1",
                                                    "keep": [value for value, _label in boxes]})
        assert 'id="shared"' in result.text
        verdict = world.inspector.result(request)["verdict"]
        assert verdict["verdict"] == "valid" and verdict["reason_key"] != "holder_link.withheld", verdict
        history = browser.get("/log").text
        assert "Personal identification number" in history and "Place of work" in history


def test_the_language_links_return_to_the_page_with_its_query_and_from_a_form_to_home(
        world: World, wallet_pages: ServerHandle) -> None:
    """A language link after a form (a POST, which has no address) led to a 405; on a showing it
    dropped the inspector's challenge. It returns to the page with its query, and from a form's answer
    to the home page."""
    with _open_pages(wallet_pages) as (browser, csrf):
        _receive_on_page(browser, csrf, world, world.a1())
        group = _group_on_page(browser, pda1.VCT)
        shown = browser.post(f"/cards/{group}/qr", data={"csrf": csrf}, follow_redirects=False)
        assert shown.status_code == 303, shown.text
        page = browser.get(shown.headers["location"], params={"challenge": "K7Q2"})
        links = re.findall(r'href="(/lang/lv\?next=[^"]+)"', page.text)
        assert links, page.text[:300]
        back = browser.get(html.unescape(links[0]), follow_redirects=False)
        assert back.headers["location"] == f"{shown.headers['location']}?challenge=K7Q2"
        answered = browser.post("/receive", data={"link": "not a link", "csrf": csrf})
        links = re.findall(r'href="(/lang/de\?next=[^"]+)"', answered.text)
        assert links and browser.get(html.unescape(links[0]), follow_redirects=False).headers["location"] == "/"
