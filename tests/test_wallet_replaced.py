"""A document replaced by its institution: the wallet presents the new one and shows the old one withdrawn.

When a clerk extends or corrects an A1, the institution issues a new document and withdraws the old
one in its status list (draft-ietf-oauth-status-list §7: INVALID). The worker then holds both. The
wallet must answer an inspector's request (OpenID4VP 1.0 §6.4) with the newest usable document,
check the status of the candidates when a request is opened (status list §8.3, best effort), and
check the older documents of the same kind when the replacement arrives, without deleting anything.

The first tests hold the selection rule itself (:func:`wallet.core.match`, no servers); the others
run the registry, the issuer, the verifier and the wallet (its service and its pages) on loopback.
The last ones hold what the wallet sends: never a document the worker removed, never the same copy
to two verifiers while another is unused, and a record of every offline QR code shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
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


def test_receiving_the_replacement_marks_the_old_document_withdrawn_and_keeps_it(world: World) -> None:
    wallet = world.wallet()
    ehic = world.receive(wallet, world.case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic)))
    old_case = world.a1()
    old = world.receive(wallet, old_case)
    new = world.receive(wallet, world.replace(old_case))
    assert _status(wallet, old) == "invalid"
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
    the presentation nor forgets that the old document was withdrawn."""
    with start_in_process(tmp_path / "data") as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        world = World(stack, http, tmp_path)
        wallet = world.wallet()
        old_case = world.a1()
        old = world.receive(wallet, old_case)
        new = world.receive(wallet, world.replace(old_case))
        assert _status(wallet, old) == "invalid"
        stack.stop("issuer")  # every status list is out of reach now
        request = world.inspector.request("pda1")
        consent = wallet.open_request(request["link"], "en")
        assert consent.satisfiable
        assert next(item.group for item in consent.items if item.query_id == "pda1") == new
        assert wallet.share(consent.id).outcome == "shared"
        assert _status(wallet, old) == "invalid"
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


def test_the_wallet_pages_show_the_replaced_document_as_withdrawn(world: World, wallet_pages: ServerHandle) -> None:
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
        assert "withdrawn by the issuer" in _status_cell(pages[old]).lower()
        assert "withdrawn" not in _status_cell(pages[new]).lower()
        old_tile = listing.text.split(f'href="/cards/{old}"', 1)[1].split("</a>", 1)[0]
        assert "Withdrawn by the issuer." in old_tile  # the list of cards says it too


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
    from wallet.errors import NotFoundError

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    request = world.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    wallet.delete(group)
    with pytest.raises(NotFoundError):
        wallet.share(consent.id)
    assert world.inspector.result(request)["status"] == "pending"  # nothing reached the inspector


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


def test_each_offline_qr_uses_the_next_copy_and_is_recorded(world: World) -> None:
    from credentials import compact

    wallet = world.wallet()
    group = world.receive(wallet, world.a1())
    codes = [wallet.offline_qr(group) for _ in range(2)]
    assert len({compact.parse_qr(code).credential for code in codes}) == 2  # two copies, two keys
    shown = [e for e in wallet.log() if e.outcome == "shown"]
    # One showing in the record: the card page renews its code every 30 s while it is open.
    assert len(shown) == 1 and "birthdate" in shown[0].claims and "document_number" in shown[0].claims
