"""Stopping a lost or stolen phone's copies (IssuerService.stop_copies; review R2, findings 1-2).

ARF Annex 2 Topic 38 (a lost Wallet Unit's attestations are revoked) and Topic 7, per copy: the case page
lists the copies by the wallet grant that took them, the clerk stops one wallet's copies with a reason, their
status entries become STOPPED (0x0C, credentials.status_list: not INVALID, which a relying party reads as a
withdrawn document), that wallet's grant ends, and the document and the other wallets' copies stay valid.
Over real HTTP on loopback (registry, issuer, verifier in-process; the reference wallet as the phones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_issuer_office import _csrf
from test_lost_phone import stop_copies
from test_office_case_guidance import _office, _section, _text

from credentials import i18n, pda1, status_list
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.jose import b64url_decode
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process, unnumbered
from wallet import messages
from wallet.service import WalletService, warning_words

VSAA = "LV:VSAA"
ANNA = DEMO_PERSONS[0]


@dataclass
class World:
    stack: Stack
    http: httpx.Client
    clerk: Clerk
    homes: Path

    def wallet(self, home: str) -> WalletService:
        """A new phone's wallet holding the worker's PID (the inspection asks for the A1 and the PID)."""
        wallet: WalletService = open_wallet(self.homes / home, self.stack.registry_url, "pw", fast_kdf=True,
                                            pki_dir=self.stack.data_dir / "pki")
        self.clerk.hand_over(wallet, "LV:PID", "pid", {**ANNA.pid, "picture": portrait(ANNA)})
        return wallet

    def a1_on_two_phones(self, name: str) -> tuple[WalletService, WalletService, str, str]:
        """An A1 handed over to an old phone, then by a new offer to a new one: (old, new, card, case id)."""
        old, new = self.wallet(f"{name}-old"), self.wallet(f"{name}-new")
        case_id = self.clerk.hand_over(old, VSAA, "pda1", unnumbered(ANNA.pda1), ANNA.holder)
        self.take(new, case_id)
        return old, new, _a1(old), case_id

    def take(self, wallet: WalletService, case_id: str) -> None:
        offer = self.clerk.offer(VSAA, case_id)
        wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])

    def case(self, case_id: str) -> dict[str, Any]:
        return self.clerk.case(VSAA, case_id)

    def verdict(self, wallet: WalletService) -> dict[str, Any]:
        inspector = Inspector(self.stack.verifier_url, self.http)
        request = inspector.request("pda1")
        wallet.share(wallet.open_request(request["link"], "en").id)
        verdict: dict[str, Any] = inspector.result(request)["verdict"]
        return verdict

    def offline(self, wallet: WalletService) -> dict[str, Any]:
        answer = self.http.post(f"{self.stack.verifier_url}/api/offline/verify",
                                json={"qr": wallet.offline_qr(_a1(wallet))})
        assert answer.status_code == 200, answer.text[:300]
        verdict: dict[str, Any] = answer.json()
        return verdict


def _a1(wallet: WalletService) -> str:
    return next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("lost-phone-copies")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        yield World(stack, http, Clerk(stack.issuer_url, data_dir, http), tmp_path_factory.mktemp("phones"))


def _statuses(case: dict[str, Any], wallet: str) -> set[int]:
    return {r["status"] for r in case["credential_records"] if r["wallet"] == wallet}


def test_the_case_page_lists_the_copies_by_the_wallet_that_took_them_with_when_and_nothing_of_the_device(
        world: World) -> None:
    old, new, _group, case_id = world.a1_on_two_phones("listed")
    old.http.close()
    new.http.close()
    case = world.case(case_id)
    first, latest = case["wallets"]
    assert first["taken_at"] < latest["taken_at"] and first["copies"] == latest["copies"] > 0
    assert not first["renews"] and latest["renews"]  # the new offer ended the old phone's renewals
    assert first["live"] == first["copies"] and first["stopped"] == 0  # ... but stopped no copy
    assert {r["wallet"] for r in case["credential_records"]} == {first["wallet"], latest["wallet"]}
    with _office(world.stack.handles["issuer"], world.clerk.tokens[VSAA]) as office:
        page = office.get(f"/office/cases/{case_id}").text
    older, newer = _section(page, f"wallet-{first['wallet']}"), _section(page, f"wallet-{latest['wallet']}")
    assert "> Wallet 1 Took the document " + first["taken_at"][:16].replace("T", " ") + " UTC" in older
    assert "renews no more" in older and f"valid copies: {first['copies']} of {first['copies']}" in older
    assert "> Wallet 2 (the latest) Took the document" in newer and "renews its copies" in newer
    assert len(re.findall(r'<button id="stop-[0-9a-f]{16}"', page)) == 2
    # Each wallet's form named by its wallet (WCAG 2.4.6: a screen reader's list of fields tells them apart).
    named = re.findall(r'<label for="reason-stop-([0-9a-f]{16})">([^<]+)</label>', page)
    assert named == [(first["wallet"], "Reason for stopping the copies of wallet 1"),
                     (latest["wallet"], "Reason for stopping the copies of wallet 2")]
    # Only what the issuer records of a wallet: no key thumbprint, client id or other device detail.
    assert not set().union(*(r.keys() for r in case["credential_records"])) & {"holder_jkt", "jkt", "client_id"}


def test_stopping_one_phones_copies_keeps_the_document_and_the_other_phones_copies_valid_and_is_recorded(
        world: World) -> None:
    old, new, group, case_id = world.a1_on_two_phones("stopped")
    try:
        first, latest = (w["wallet"] for w in world.case(case_id)["wallets"])
        # A reason is asked first, as for every other action on a case; the form said again, that wallet's.
        no_reason = stop_copies(world.stack, world.clerk, VSAA, case_id, first, reason="")
        assert no_reason.status_code == 400 and "Please give a reason." in no_reason.text
        assert re.search(rf'id="reason-stop-{first}" required maxlength="300" aria-required="true" '
                         r'aria-invalid="true"', no_reason.text)
        stopped = stop_copies(world.stack, world.clerk, VSAA, case_id, first, reason="phone stolen on 3 May")
        assert stopped.status_code == 303, stopped.text[:300]
        case = world.case(case_id)
        assert case["state"] == "active"  # the document itself: not withdrawn, suspended or replaced
        assert _statuses(case, first) == {status_list.STOPPED}
        assert _statuses(case, latest) == {status_list.VALID}
        event = [e for e in case["events"] if e["action"] == "copies_stopped"]
        assert len(event) == 1 and event[0]["reason"].startswith("phone stolen on 3 May (") and event[0]["actor"]
        assert case["wallets"][0]["stopped"] == case["wallets"][0]["copies"] and not case["wallets"][0]["renews"]
        with _office(world.stack.handles["issuer"], world.clerk.tokens[VSAA], lang="lv") as office:
            page = office.get(f"/office/cases/{case_id}").text
            again = office.post(f"/office/cases/{case_id}/stop-copies",
                                data={"csrf": _csrf(page), "wallet": first, "reason": "again"})
            unknown = office.post(f"/office/cases/{case_id}/stop-copies",
                                  data={"csrf": _csrf(page), "wallet": "0" * 16, "reason": "phone lost"})
            garbled = office.post(f"/office/cases/{case_id}/stop-copies",
                                  data={"csrf": _csrf(page), "wallet": "ā€\u202e" * 20, "reason": "phone lost"})
        history = _section(page, "events")
        assert i18n.t("office.event.copies_stopped", "lv") in history and "phone stolen on 3 May" in history
        assert i18n.t("office.wallet_stopped", "lv") in _section(page, f"wallet-{first}")
        assert f'id="stop-{first}"' not in page and f'id="stop-{latest}"' in page  # nothing left to stop there
        assert again.status_code == 409 and i18n.t("rule.copies.already_stopped", "lv") in _text(again.text)
        assert unknown.status_code == garbled.status_code == 404  # never a 500, whatever is posted
        # The old phone's wallet: its grant ended with its copies (the next renewal is refused).
        assert old.renew(group).outcome == "refused"
        # The document is valid on the new phone, and not on the old one, whose reason is its own.
        assert world.verdict(new)["verdict"] == "valid"
        told = world.verdict(old)
        assert told["verdict"] == "invalid" and told["reason_key"] == "status.stopped", told
    finally:
        old.http.close()
        new.http.close()


def test_a_stopped_copy_fails_the_offline_check_too_however_often_the_phone_shows_it(world: World) -> None:
    """Once the verifier holds the list, the offline QR code of a stopped copy is not valid; a phone that
    has shown every copy shows them again (no copy is revived by it), and each is still stopped."""
    old, new, _group, case_id = world.a1_on_two_phones("offline")
    try:
        assert world.offline(old)["verdict"] == "valid"  # the verifier holds the list from here on
        first = world.case(case_id)["wallets"][0]
        assert stop_copies(world.stack, world.clerk, VSAA, case_id, first["wallet"]).status_code == 303
        for _ in range(first["copies"] + 2):  # every copy, then used ones again
            verdict = world.offline(old)
            assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "status.stopped", verdict
        assert world.offline(new)["verdict"] == "valid"
    finally:
        old.http.close()
        new.http.close()


def test_suspending_and_reinstating_the_document_leaves_stopped_copies_stopped_and_a_withdrawal_withdraws_them(
        world: World) -> None:
    old, new, _group, case_id = world.a1_on_two_phones("reinstated")
    old.http.close()
    new.http.close()
    first, latest = (w["wallet"] for w in world.case(case_id)["wallets"])
    world.clerk.set_state(VSAA, case_id, "suspend", "facts to check")
    # A suspended document's copies on the lost phone may be stopped too, so that reinstating it does not
    # make them valid again.
    assert stop_copies(world.stack, world.clerk, VSAA, case_id, first).status_code == 303
    world.clerk.set_state(VSAA, case_id, "reinstate", "checked")
    case = world.case(case_id)
    assert _statuses(case, first) == {status_list.STOPPED} and _statuses(case, latest) == {status_list.VALID}
    # A withdrawal says more than a stop: the stopped copies read withdrawn then (STOPPED may turn INVALID).
    world.clerk.set_state(VSAA, case_id, "revoke", "wrong legislation")
    case = world.case(case_id)
    assert _statuses(case, first) == _statuses(case, latest) == {status_list.INVALID}
    answer = world.http.post(f"{world.stack.issuer_url}/lv-vsaa/api/cases/{case_id}/suspend",
                             headers={"Authorization": f"Bearer {world.clerk.tokens[VSAA]}"}, json={"reason": "x"})
    assert answer.status_code == 409
    refused = stop_copies(world.stack, world.clerk, VSAA, case_id, latest)
    assert refused.status_code == 409 and "its copies already fail every check" in _text(refused.text)


def test_a_new_offer_works_while_the_lost_phones_copies_are_stopped(world: World) -> None:
    """The worker reports the phone before having a new one: the clerk stops its copies first, and the
    new phone takes a new offer later."""
    old = world.wallet("first-stop-old")
    case_id = world.clerk.hand_over(old, VSAA, "pda1", unnumbered(ANNA.pda1), ANNA.holder)
    old.http.close()
    only = world.case(case_id)["wallets"][0]["wallet"]
    assert stop_copies(world.stack, world.clerk, VSAA, case_id, only).status_code == 303
    assert world.case(case_id)["offer_refusal"] is None
    new = world.wallet("first-stop-new")
    try:
        world.take(new, case_id)
        assert world.verdict(new)["verdict"] == "valid"
        case = world.case(case_id)
        assert _statuses(case, only) == {status_list.STOPPED} and case["wallets"][1]["renews"]
    finally:
        new.http.close()


def test_the_old_phone_shows_its_copies_as_stopped_when_it_comes_online(world: World) -> None:
    old, new, group, case_id = world.a1_on_two_phones("comes-online")
    new.http.close()
    try:
        first = world.case(case_id)["wallets"][0]["wallet"]
        assert stop_copies(world.stack, world.clerk, VSAA, case_id, first).status_code == 303
        assert old.check_status(group).value == "stopped"
        card = old.card(group, "en")
        assert card.warning == "stopped" and card.past is None  # the document is current, on the other phone
        for lang in i18n.LANGUAGES:
            assert warning_words(card, lang) == messages.t("consent.warn_stopped", lang)
            assert messages.t("status.stopped", lang) != messages.t("status.invalid", lang)
        assert "stopped the copies of this document on this phone" in warning_words(card, "en")
        assert old.check_status(group).value == "stopped"  # checked again: final
    finally:
        old.http.close()


def test_stopped_is_a_final_status_type_of_its_own_on_four_bit_lists(world: World) -> None:
    """0x0C, application-specific (draft-ietf-oauth-status-list §7.1; 0x04-0x0B are reserved), so the
    issuer's lists have four bits an entry; final (never VALID or SUSPENDED again), but a withdrawal or
    replacement of its document may follow it."""
    assert status_list.STOPPED == 0x0C and status_list.is_final(status_list.STOPPED)
    assert not status_list.may_follow(status_list.STOPPED, status_list.VALID)
    assert not status_list.may_follow(status_list.STOPPED, status_list.SUSPENDED)
    assert status_list.may_follow(status_list.STOPPED, status_list.INVALID)
    assert status_list.may_follow(status_list.STOPPED, status_list.REPLACED)
    assert not status_list.may_follow(status_list.INVALID, status_list.STOPPED)
    with pytest.raises(ValueError, match="needs 4 bits"):
        status_list.StatusList(8, bits=2).set(0, status_list.STOPPED)
    listed = world.http.get(f"{world.stack.issuer_url}/lv-vsaa/status/1",
                            headers={"Accept": status_list.MEDIA_TYPE})
    assert listed.status_code == 200
    payload = json.loads(b64url_decode(listed.text.split(".")[1]))
    assert payload["status_list"]["bits"] == 4
    # The inspector's words say the copy, not the document, stopped, in every language.
    for lang in i18n.LANGUAGES:
        stopped = i18n.t("verifier.reason.status.stopped", lang)
        assert stopped and stopped != i18n.t("verifier.reason.status.withdrawn", lang)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_active_case_page_says_what_to_do_for_a_lost_or_stolen_phone(world: World, lang: str) -> None:
    case_id = world.clerk.create_case(VSAA, "pda1", unnumbered(ANNA.pda1), ANNA.holder)
    with _office(world.stack.handles["issuer"], world.clerk.tokens[VSAA], lang=lang) as office:
        page = office.get(f"/office/cases/{case_id}?lang={lang}").text
    guide = _section(page, "guide")
    assert i18n.t("office.guide.lost.when", lang) in guide
    assert i18n.t("office.guide.lost.do", lang, section=i18n.t("office.credentials", lang),
                  button=i18n.t("office.stop_copies", lang)) in guide


def test_the_back_office_api_stops_one_wallets_copies_as_the_case_page_does(world: World) -> None:
    old, new, _group, case_id = world.a1_on_two_phones("api-stop")
    try:
        first, latest = (w["wallet"] for w in world.case(case_id)["wallets"])
        url = f"{world.stack.issuer_url}/lv-vsaa/api/cases/{case_id}/stop-copies"
        auth = {"Authorization": f"Bearer {world.clerk.tokens[VSAA]}"}
        no_reason = world.http.post(url, headers=auth, json={"wallet": first})
        unknown = world.http.post(url, headers=auth, json={"wallet": "0" * 16, "reason": "phone lost"})
        no_clerk = world.http.post(url, json={"wallet": first, "reason": "phone lost"})
        assert no_reason.status_code == 400 and no_reason.json()["error"] == "invalid_request", no_reason.text
        assert unknown.status_code == 404 and no_clerk.status_code == 401
        assert _statuses(world.case(case_id), first) == {status_list.VALID}  # nothing changed by the refusals
        stopped = world.http.post(url, headers=auth, json={"wallet": first, "reason": "phone stolen"})
        assert stopped.status_code == 200, stopped.text[:300]
        case = world.case(case_id)
        assert _statuses(case, first) == {status_list.STOPPED} and _statuses(case, latest) == {status_list.VALID}
        again = world.http.post(url, headers=auth, json={"wallet": first, "reason": "phone stolen"})
        assert again.status_code == 409 and again.json()["rule_key"] == "copies.already_stopped", again.text
    finally:
        old.http.close()
        new.http.close()
